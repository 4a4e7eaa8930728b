/**
 * Provisioning (contract A): list, create, edit and delete users, numbers, lines, ring groups, trunks
 * (admin) and API credentials. Edits send `If-Match` with the ETag the form was opened with, so a change
 * made meanwhile by someone else answers 412 instead of being overwritten; 409 and 422 are shown as the
 * server words them.
 */
import { useState } from 'preact/hooks';
import { get, request } from '../api/client';
import { ErrorBox } from '../components/error-box';
import { getPath, pruneBlank, RESOURCES, type Item, type Resource } from '../components/provisioning-resources';
import { ResourceForm } from '../components/resource-form';
import { useAsync } from '../components/use-async';
import type { ScreenProps } from '../screens';

function cell(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (Array.isArray(v)) return v.join(', ');
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function Provisioning({ session }: ScreenProps) {
  const resources = RESOURCES.filter((r) => !r.adminOnly || session.user.role === 'admin');
  const [tab, setTab] = useState(resources[0]!.id);
  const resource = resources.find((r) => r.id === tab) ?? resources[0]!;
  return (
    <section class="provisioning">
      <div class="tabs">
        {resources.map((r) => (
          <button key={r.id} type="button" class={r === resource ? 'tab active' : 'tab'} data-tab={r.id} onClick={() => setTab(r.id)}>
            {r.title}
          </button>
        ))}
      </div>
      <ResourceList key={resource.id} resource={resource} />
    </section>
  );
}

type Editing = { mode: 'new'; item: Item } | { mode: 'edit'; item: Item; etag: string; key: string };

function ResourceList({ resource }: { resource: Resource }) {
  const list = useAsync(() => get<Record<string, Item[]>>(resource.path));
  const [editing, setEditing] = useState<Editing | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const items = list.value?.[resource.listKey] ?? [];
  const url = (key: string) => `${resource.path}/${encodeURIComponent(key)}`;

  const open = async (item: Item) => {
    setError(null);
    setNotice(null);
    try {
      const key = resource.keyOf(item);
      const r = await request<Item>(url(key));
      setEditing({ mode: 'edit', item: r.body, etag: r.headers.get('etag') ?? '', key });
    } catch (e) {
      setError(e);
    }
  };

  const save = async (item: Item) => {
    const body = pruneBlank(item) as Item;
    for (const k of resource.readOnly ?? []) delete body[k];
    if (editing?.mode === 'edit') {
      await request<Item>(url(editing.key), { method: 'PUT', body, headers: editing.etag ? { 'if-match': editing.etag } : {} });
      setNotice(`Saved ${editing.key}.`);
    } else {
      const r = await request<Item>(resource.path, { method: 'POST', body });
      const secret = typeof r.body.secret === 'string' ? r.body.secret : null;
      setNotice(secret ? `Created ${resource.keyOf(r.body)}. Its secret, shown only this once: ${secret}` : `Created ${resource.keyOf(r.body)}.`);
    }
    setEditing(null);
    list.reload();
  };

  const remove = async () => {
    if (editing?.mode !== 'edit') return;
    await request(url(editing.key), { method: 'DELETE', headers: editing.etag ? { 'if-match': editing.etag } : {} });
    setNotice(`Deleted ${editing.key}.`);
    setEditing(null);
    list.reload();
  };

  return (
    <div class="resource" data-resource={resource.id}>
      <div class="toolbar">
        <button
          type="button"
          class="new"
          onClick={() => {
            setNotice(null);
            setEditing({ mode: 'new', item: structuredClone(resource.template) });
          }}
        >
          New
        </button>
        <button type="button" onClick={list.reload}>
          Refresh
        </button>
      </div>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorBox error={error ?? list.error} />
      {editing && (
        <ResourceForm
          key={editing.mode === 'edit' ? editing.key : 'new'}
          resource={resource}
          item={editing.item}
          isNew={editing.mode === 'new'}
          onSave={save}
          onDelete={editing.mode === 'edit' ? remove : undefined}
          onCancel={() => setEditing(null)}
        />
      )}
      <table class="resource-list">
        <thead>
          <tr>
            {resource.columns.map((c) => (
              <th key={c.path}>{c.label}</th>
            ))}
            <th />
          </tr>
        </thead>
        <tbody>
          {items.map((item) => (
            <tr key={resource.keyOf(item)} data-key={resource.keyOf(item)}>
              {resource.columns.map((c) => (
                <td key={c.path}>{cell(getPath(item, c.path))}</td>
              ))}
              <td>
                <button type="button" class="edit" onClick={() => void open(item)}>
                  Edit
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {list.value && items.length === 0 ? <p class="empty">None yet.</p> : null}
    </div>
  );
}
