/** One typed inspector field: a number with its unit and bounds, a choice, or text. The value
 * is stored as soon as it is valid; an invalid one stays in the box with the reason beside it. */
import { useEffect, useId, useState } from 'react';
import { boundsText, parseField, type FieldSpec } from '../domain/fields';

const show = (v: unknown) => (v === undefined || v === null ? '' : String(v));

export function Field({
  field,
  value,
  onCommit,
  readOnly,
  testId,
}: {
  field: FieldSpec;
  value: unknown;
  onCommit: (value: unknown) => void;
  readOnly: boolean;
  testId: string;
}) {
  const id = useId();
  const [text, setText] = useState(show(value));
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    setText(show(value));
    setError(null);
  }, [value]);

  const change = (raw: string) => {
    setText(raw);
    const parsed = parseField(field, raw);
    if (!parsed.ok) {
      setError(parsed.error);
      return;
    }
    setError(null);
    if (parsed.value !== value) onCommit(parsed.value);
  };

  const bounds = boundsText(field);
  const hintId = `${id}-hint`;
  const placeholder = field.default === undefined || field.default === null ? 'engine profile' : String(field.default);
  return (
    <div className={error ? 'field invalid' : 'field'}>
      <label htmlFor={id} title={field.help}>
        {field.label}
        {field.unit && <span className="unit"> ({field.unit})</span>}
      </label>
      {field.type === 'choice' ? (
        <select
          id={id}
          value={text || show(field.default)}
          disabled={readOnly}
          onChange={(e) => change(e.target.value)}
          data-testid={testId}
          aria-describedby={hintId}
        >
          {field.options.map((o) => (
            <option key={o} value={o}>
              {o.replace(/_/g, ' ')}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          className="nodrag"
          type="text"
          inputMode={field.type === 'text' ? 'text' : 'decimal'}
          value={text}
          placeholder={placeholder}
          readOnly={readOnly}
          onChange={(e) => change(e.target.value)}
          aria-invalid={error ? true : undefined}
          aria-describedby={hintId}
          data-testid={testId}
        />
      )}
      <span id={hintId} className={error ? 'field-hint error-text' : 'field-hint'} data-testid={error ? `${testId}-error` : undefined}>
        {error ? `${field.label} ${error}` : [bounds, field.help].filter(Boolean).join(' · ')}
      </span>
    </div>
  );
}
