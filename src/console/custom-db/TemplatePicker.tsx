import { useEffect, useId, useState } from 'react';
import type { ScriptName, Template } from '../api/types.js';
import { SCRIPT_LABELS, TEMPLATE_LABELS } from '../scripts.js';
import type { AsyncState } from '../components/useAsync.js';

interface TemplatePickerProps {
  templates: AsyncState<Template[]>;
  /** the scripts a template would replace (the current mode's) */
  scripts: readonly ScriptName[];
  onApply: (template: Template) => void;
  /** asks the user; window.confirm unless a test says otherwise */
  confirm?: (message: string) => boolean;
}

/** A template select that fills the editors after asking. */
export function TemplatePicker({ templates, scripts, onApply, confirm = (m) => window.confirm(m) }: TemplatePickerProps) {
  const id = useId();
  const [chosen, setChosen] = useState('');
  const list = templates.data ?? [];
  // Another mode needs other scripts: the same template can be chosen again to fill them.
  const needed = scripts.join(',');
  useEffect(() => setChosen(''), [needed]);

  const choose = (templateId: string) => {
    const template = list.find((candidate) => candidate.id === templateId);
    if (!template) return;
    const label = TEMPLATE_LABELS[template.id] ?? template.name;
    const names = scripts.map((name) => SCRIPT_LABELS[name]).join(', ');
    if (!confirm(`Fill the ${names} script${scripts.length === 1 ? '' : 's'} with the ${label} template? What the editors hold now will be replaced.`)) {
      return;
    }
    setChosen(templateId);
    onApply(template);
  };

  return (
    <div className="field inline">
      <label htmlFor={`${id}-template`}>Template</label>
      <select
        id={`${id}-template`}
        value={chosen}
        disabled={templates.status !== 'ready'}
        onChange={(event) => choose(event.target.value)}
        aria-describedby={templates.status === 'error' ? `${id}-error` : undefined}
      >
        <option value="">{templates.status === 'loading' ? 'Loading templates…' : 'Choose a template…'}</option>
        {list.map((template) => (
          <option key={template.id} value={template.id}>
            {TEMPLATE_LABELS[template.id] ?? template.name}
          </option>
        ))}
      </select>
      {templates.status === 'error' && (
        <span className="inline-error" id={`${id}-error`} role="alert">
          Templates could not be loaded: {templates.error}
        </span>
      )}
    </div>
  );
}
