/**
 * A CodeMirror 6 editor for one script: JavaScript highlighting, line numbers, and the
 * syntax check marked in the text and the gutter as you type.
 */
import { useEffect, useRef } from 'react';
import { basicSetup } from 'codemirror';
import { javascript } from '@codemirror/lang-javascript';
import { linter, lintGutter, type Diagnostic } from '@codemirror/lint';
import { EditorState } from '@codemirror/state';
import { EditorView } from '@codemirror/view';
import type { ScriptKey } from '../api/types.js';
import { checkScript } from './check-script.js';

interface CodeEditorProps {
  script: ScriptKey;
  value: string;
  onChange: (value: string) => void;
  /** the accessible name of the editing area */
  label: string;
  describedBy?: string;
}

function scriptLinter(script: ScriptKey) {
  return linter(
    (view): Diagnostic[] => {
      const checked = checkScript(script, view.state.doc.toString());
      if (checked.ok) return [];
      return [
        {
          from: checked.from,
          to: checked.to,
          severity: 'error',
          message: `${checked.message} (line ${String(checked.line)}, column ${String(checked.column)})`,
        },
      ];
    },
    { delay: 300 },
  );
}

export function CodeEditor({ script, value, onChange, label, describedBy }: CodeEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const onChangeRef = useRef(onChange);
  onChangeRef.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    const editor = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          basicSetup,
          javascript(),
          scriptLinter(script),
          lintGutter(),
          EditorView.contentAttributes.of({
            'aria-label': label,
            ...(describedBy ? { 'aria-describedby': describedBy } : {}),
          }),
          EditorView.updateListener.of((update) => {
            if (update.docChanged) onChangeRef.current(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
    // One editor per script; the value is synced below without rebuilding it.
  }, [script]);

  useEffect(() => {
    const editor = view.current;
    if (editor && editor.state.doc.toString() !== value) {
      editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: value } });
    }
  }, [value]);

  return <div className="code-editor" ref={host} data-script={script} />;
}
