/**
 * The form of one provisioning resource: its common fields as inputs, and the whole resource as JSON for
 * the rest. The two views edit the same object. Save and delete show the server's error and keep the form.
 */
import { useState } from 'preact/hooks';
import { ErrorBox } from './error-box';
import { getPath, setPath, type Field, type Item, type Resource } from './provisioning-resources';

interface Props {
  resource: Resource;
  item: Item;
  isNew: boolean;
  onSave(item: Item): Promise<void>;
  onDelete?: (() => Promise<void>) | undefined;
  onCancel(): void;
}

function input(f: Field, value: unknown, isNew: boolean, set: (v: unknown) => void) {
  const name = f.path;
  const disabled = f.key && !isNew;
  switch (f.kind) {
    case 'checkbox':
      return <input type="checkbox" name={name} checked={value === true} onChange={(e) => set(e.currentTarget.checked)} />;
    case 'select':
      return (
        <select name={name} value={String(value ?? '')} onChange={(e) => set(e.currentTarget.value)}>
          {(f.options ?? []).map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      );
    case 'number':
      return <input type="number" name={name} value={value === undefined ? '' : String(value)} onInput={(e) => set(e.currentTarget.value === '' ? undefined : Number(e.currentTarget.value))} />;
    case 'ids':
    case 'list':
      return (
        <input
          name={name}
          placeholder="comma separated"
          value={Array.isArray(value) ? value.join(', ') : ''}
          onInput={(e) => {
            const parts = e.currentTarget.value.split(',').map((s) => s.trim()).filter(Boolean);
            set(f.kind === 'ids' ? parts.map(Number) : parts);
          }}
        />
      );
    case 'password':
      return <input type="password" name={name} autocomplete="new-password" placeholder={f.writeOnly && !isNew ? 'unchanged' : ''} value={String(value ?? '')} onInput={(e) => set(e.currentTarget.value)} />;
    default:
      return <input type="text" name={name} autocomplete="off" disabled={disabled} value={String(value ?? '')} onInput={(e) => set(e.currentTarget.value)} />;
  }
}

export function ResourceForm({ resource, item: initial, isNew, onSave, onDelete, onCancel }: Props) {
  const [item, setItem] = useState<Item>(initial);
  const [json, setJson] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  const run = (p: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    p().catch((e: unknown) => {
      setError(e);
      setBusy(false);
    });
  };

  const current = (): Item => {
    if (json === null) return item;
    return JSON.parse(json) as Item;
  };

  return (
    <form
      class="resource-form"
      onSubmit={(e) => {
        e.preventDefault();
        run(() => onSave(current()));
      }}
    >
      <h2>{isNew ? `New ${resource.title.toLowerCase()}` : `Edit ${resource.keyOf(item)}`}</h2>
      {json === null ? (
        <div class="fields">
          {resource.fields.map((f) => (
            <label key={f.path}>
              <span>{f.label}</span>
              {input(f, getPath(item, f.path), isNew, (v) => setItem((it) => setPath(it, f.path, v)))}
            </label>
          ))}
        </div>
      ) : (
        <textarea name="json" rows={16} value={json} onInput={(e) => setJson(e.currentTarget.value)} />
      )}
      <div class="form-actions">
        <button type="submit" class="save primary" disabled={busy}>
          {isNew ? 'Create' : 'Save'}
        </button>
        <button
          type="button"
          onClick={() => {
            if (json === null) setJson(JSON.stringify(item, null, 2));
            else {
              try {
                setItem(JSON.parse(json) as Item);
                setJson(null);
              } catch (e) {
                setError(e);
              }
            }
          }}
        >
          {json === null ? 'JSON' : 'Form'}
        </button>
        {onDelete && (
          <button type="button" class="delete danger" disabled={busy} onClick={() => run(onDelete)}>
            Delete
          </button>
        )}
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
      <ErrorBox error={error} />
    </form>
  );
}
