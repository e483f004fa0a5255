/**
 * The brief's live preview while it is typed: a tiny Markdown reader (headings, paragraphs,
 * lists, bold, italics, code) that builds React text nodes, so nothing typed can become HTML.
 * The server's sanitised rendering (`brief_html`) is what students see.
 */
import type { ReactNode } from 'react';

export type Inline = { kind: 'text' | 'strong' | 'em' | 'code'; text: string };
export type Block =
  | { kind: 'heading'; level: 1 | 2 | 3; inline: Inline[] }
  | { kind: 'paragraph'; inline: Inline[] }
  | { kind: 'list'; ordered: boolean; items: Inline[][] };

const INLINE = /(`[^`]+`|\*\*[^*]+\*\*|__[^_]+__|\*[^*\s][^*]*\*|_[^_\s][^_]*_)/g;

export function parseInline(text: string): Inline[] {
  const out: Inline[] = [];
  let last = 0;
  for (const m of text.matchAll(INLINE)) {
    const at = m.index ?? 0;
    if (at > last) out.push({ kind: 'text', text: text.slice(last, at) });
    const token = m[0];
    if (token.startsWith('`')) out.push({ kind: 'code', text: token.slice(1, -1) });
    else if (token.startsWith('**') || token.startsWith('__')) out.push({ kind: 'strong', text: token.slice(2, -2) });
    else out.push({ kind: 'em', text: token.slice(1, -1) });
    last = at + token.length;
  }
  if (last < text.length) out.push({ kind: 'text', text: text.slice(last) });
  return out;
}

export function parseMarkdown(source: string): Block[] {
  const blocks: Block[] = [];
  let paragraph: string[] = [];
  let list: { ordered: boolean; items: Inline[][] } | null = null;
  const flush = () => {
    if (paragraph.length) blocks.push({ kind: 'paragraph', inline: parseInline(paragraph.join(' ')) });
    if (list) blocks.push({ kind: 'list', ...list });
    paragraph = [];
    list = null;
  };
  for (const raw of source.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line) {
      flush();
      continue;
    }
    const heading = /^(#{1,3})\s+(.*)$/.exec(line);
    if (heading) {
      flush();
      blocks.push({ kind: 'heading', level: heading[1].length as 1 | 2 | 3, inline: parseInline(heading[2]) });
      continue;
    }
    const item = /^(?:([-*+])|(\d+)[.)])\s+(.*)$/.exec(line);
    if (item) {
      const ordered = item[2] !== undefined;
      if (paragraph.length || (list && list.ordered !== ordered)) flush();
      list ??= { ordered, items: [] };
      list.items.push(parseInline(item[3]));
      continue;
    }
    if (list) flush();
    paragraph.push(line);
  }
  flush();
  return blocks;
}

function renderInline(parts: Inline[]): ReactNode[] {
  return parts.map((p, i) => {
    if (p.kind === 'strong') return <strong key={i}>{p.text}</strong>;
    if (p.kind === 'em') return <em key={i}>{p.text}</em>;
    if (p.kind === 'code') return <code key={i}>{p.text}</code>;
    return p.text;
  });
}

export function MarkdownPreview({ source, testId }: { source: string; testId?: string }) {
  const blocks = parseMarkdown(source);
  return (
    <div className="brief" data-testid={testId}>
      {blocks.length === 0 && <p className="muted">Nothing to preview yet.</p>}
      {blocks.map((b, i) => {
        if (b.kind === 'heading') {
          const H = `h${b.level + 2}` as 'h3' | 'h4' | 'h5';
          return <H key={i}>{renderInline(b.inline)}</H>;
        }
        if (b.kind === 'list') {
          const L = b.ordered ? 'ol' : 'ul';
          return (
            <L key={i}>
              {b.items.map((item, j) => (
                <li key={j}>{renderInline(item)}</li>
              ))}
            </L>
          );
        }
        return <p key={i}>{renderInline(b.inline)}</p>;
      })}
    </div>
  );
}
