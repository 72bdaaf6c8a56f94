/**
 * A scrape of GET /metrics read with a real Prometheus text parser, so tests assert what a
 * Prometheus server would see rather than matching text.
 */
import parsePrometheusTextFormat, { type PrometheusFamily, type PrometheusSample } from 'parse-prometheus-text-format';

export interface Scrape {
  families: PrometheusFamily[];
  family(name: string): PrometheusFamily;
  /** The samples of `name` whose labels include `labels`. */
  samples(name: string, labels?: Record<string, string>): PrometheusSample[];
  /** The value of the one sample of `name` with exactly these labels; 0 when there is none (a counter never incremented). */
  value(name: string, labels?: Record<string, string>): number;
  /** Every value a label takes in `name`. */
  labelValues(name: string, label: string): Set<string>;
}

/**
 * The parser folds a histogram into one sample and keeps labels only for unlabelled ones,
 * so histograms are read as the plain series Prometheus stores them as (`<name>_bucket`
 * with `le`, `<name>_sum`, `<name>_count`), each series family merged under its name.
 */
function parseFamilies(text: string): PrometheusFamily[] {
  const histograms = new Set([...text.matchAll(/^# TYPE (\S+) histogram$/gm)].map((match) => match[1]));
  const plain = text.replace(/^# TYPE (\S+) histogram$/gm, '# TYPE $1 untyped');
  const merged = new Map<string, PrometheusFamily>();
  for (const family of parsePrometheusTextFormat(plain)) {
    const known = merged.get(family.name);
    if (known) known.metrics.push(...family.metrics);
    else {
      const histogram = histograms.has(family.name.replace(/_(bucket|sum|count)$/, '')) || histograms.has(family.name);
      merged.set(family.name, { ...family, type: histogram ? 'HISTOGRAM' : family.type });
    }
  }
  return [...merged.values()];
}

export function parseScrape(text: string): Scrape {
  const families = parseFamilies(text);
  const family = (name: string): PrometheusFamily => {
    const found = families.find((candidate) => candidate.name === name);
    if (!found) throw new Error(`no metric ${name} in the scrape`);
    return found;
  };
  const samples = (name: string, labels: Record<string, string> = {}) =>
    family(name).metrics.filter((sample) => Object.entries(labels).every(([key, value]) => sample.labels?.[key] === value));
  return {
    families,
    family,
    samples,
    value(name, labels = {}) {
      const exact = samples(name, labels).filter((sample) => Object.keys(sample.labels ?? {}).length === Object.keys(labels).length);
      if (exact.length > 1) throw new Error(`${exact.length} samples of ${name} match ${JSON.stringify(labels)}`);
      return exact[0] === undefined ? 0 : Number(exact[0].value);
    },
    labelValues(name, label) {
      return new Set(family(name).metrics.flatMap((sample) => (sample.labels?.[label] === undefined ? [] : [sample.labels[label]])));
    },
  };
}
