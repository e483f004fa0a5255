import { describe, expect, it } from 'vitest';
import { parseInline, parseMarkdown } from './markdown';

describe('the brief preview', () => {
  it('reads headings, paragraphs, lists and emphasis', () => {
    expect(parseMarkdown('# Task\n\nKeep it **up**,\nplease.\n\n- one\n- *two*\n\n1. first')).toEqual([
      { kind: 'heading', level: 1, inline: [{ kind: 'text', text: 'Task' }] },
      {
        kind: 'paragraph',
        inline: [
          { kind: 'text', text: 'Keep it ' },
          { kind: 'strong', text: 'up' },
          { kind: 'text', text: ', please.' },
        ],
      },
      { kind: 'list', ordered: false, items: [[{ kind: 'text', text: 'one' }], [{ kind: 'em', text: 'two' }]] },
      { kind: 'list', ordered: true, items: [[{ kind: 'text', text: 'first' }]] },
    ]);
  });

  it('keeps markup as text: a script tag is only words', () => {
    expect(parseInline('<script>alert(1)</script> and `code`')).toEqual([
      { kind: 'text', text: '<script>alert(1)</script> and ' },
      { kind: 'code', text: 'code' },
    ]);
  });
});
