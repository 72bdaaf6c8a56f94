/**
 * One uPlot chart that fills its container's width. uPlot draws on a canvas; where there is
 * none (an old browser, a test DOM) nothing is drawn and the table beside it still says it all.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { ChartSeries } from './chart-data.js';

const COLORS = ['#2e7d32', '#c62828', '#6a1b9a', '#ef6c00', '#00838f', '#5d4037', '#1565c0', '#ad1457', '#827717'];
const HEIGHT = 220;

function canDraw(): boolean {
  try {
    return document.createElement('canvas').getContext('2d') !== null;
  } catch {
    return false;
  }
}

export function UPlotChart({ data, unit }: { data: ChartSeries; unit?: string }) {
  const container = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = container.current;
    if (element === null || !canDraw()) return;
    const options: uPlot.Options = {
      width: Math.max(320, element.clientWidth),
      height: HEIGHT,
      scales: { x: { time: true } },
      series: [
        {},
        ...data.series.map((label, i) => ({
          label,
          stroke: COLORS[i % COLORS.length] ?? '#333',
          width: 2,
          spanGaps: false,
          ...(unit === undefined ? {} : { value: (_: uPlot, value: number | null) => (value === null ? '–' : `${Math.round(value)} ${unit}`) }),
        })),
      ],
      axes: [{}, { size: 60 }],
    };
    const chart = new uPlot(options, data.columns, element);
    const resize = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(() => chart.setSize({ width: Math.max(320, element.clientWidth), height: HEIGHT }));
    resize?.observe(element);
    return () => {
      resize?.disconnect();
      chart.destroy();
    };
  }, [data, unit]);
  // The chart repeats the table next to it, so assistive technology reads the table instead.
  return <div ref={container} className="chart" aria-hidden="true" />;
}
