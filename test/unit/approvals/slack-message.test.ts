/** The Slack message for an approval: user text can forge no link, mention or formatting, and fits Slack's limits. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { notice } from './notice-fixture.js';
import { codeBlock, escapeSlack, escapeTruncated, inlineCode, slackMessageOf } from '../../../src/adapters/webhook/slack-message.js';


/** Every piece of mrkdwn in the message. */
const texts = (message: ReturnType<typeof slackMessageOf>): string[] => {
  const out = [message.text];
  for (const block of message.blocks) {
    const text = (block.text as { text?: string } | undefined)?.text;
    if (text) out.push(text);
    for (const field of (block.fields as { text: string }[] | undefined) ?? []) out.push(field.text);
  }
  return out;
};

/** Slack treats `<…>` as links, mentions and commands; escaped text has no raw angle brackets. */
const hasControl = (text: string) => /[<>]/.test(text) || /&(?!amp;|lt;|gt;)/.test(text);

describe('Slack approval message', () => {
  it('escapes a forged link in the SQL, the reason, the comment and the requester', () => {
    const evil = 'SELECT 1 -- <https://evil.example|click> <!channel> <@U123> a & b';
    const message = slackMessageOf(
      notice({ kind: 'rejected', sql: evil, reason: evil, comment: evil, decidedBy: ['<@U999>'], requester: { subject: '<https://evil|me>', email: 'x@y' } }),
    );
    for (const text of texts(message)) assert.ok(!hasControl(text), `unescaped control characters in: ${text}`);
    assert.ok(message.text.includes('&lt;https://evil.example|click&gt; &lt;!channel&gt; &lt;@U123&gt; a &amp; b'));
    assert.ok(texts(message).some((t) => t.includes('&lt;https://evil|me&gt;')));
  });

  it('keeps the SQL inside one code block: backticks in it cannot close the block or open inline code', () => {
    const sql = "SELECT * FROM `demo-project.sales.orders` WHERE note = '```\n*bold* _it_ ~strike~ <https://evil|click>\n```'";
    const message = slackMessageOf(notice({ sql }));
    const block = message.blocks[2] as { text: { text: string } };
    const body = block.text.text;
    assert.ok(body.startsWith('```\n') && body.endsWith('\n```'));
    const inner = body.slice(4, -4);
    assert.ok(!inner.includes('`'), 'no backtick survives inside the block');
    assert.ok(inner.includes('ˋdemo-project.sales.ordersˋ'), 'backticks are shown as a look-alike');
    assert.ok(inner.includes('&lt;https://evil|click&gt;'));
    assert.equal(message.text.match(/```/g)?.length, 2, 'exactly one code block in the fallback text');
  });

  it('puts each free-text field in one inline code span on one line', () => {
    assert.equal(inlineCode('a `b`\n*c*'), '`a ˋbˋ *c*`');
    assert.equal(inlineCode('   '), '_none_');
  });

  it('truncates by characters after escaping, never splitting an escape or a surrogate pair', () => {
    const sql = '<'.repeat(5000);
    const message = slackMessageOf(notice({ sql }));
    const block = (message.blocks[2] as { text: { text: string } }).text.text;
    assert.ok(block.length <= 2900, `block is ${block.length} characters`);
    assert.match(block, /^```\n(&lt;)+…\n```$/);
    assert.ok(message.text.length <= 4000);
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme', maxLength: 300 }), fc.integer({ min: 2, max: 200 }), (raw, max) => {
        const out = escapeTruncated(raw, max);
        assert.ok(out.length <= max, `${out.length} > ${max}`);
        const body = out.endsWith('…') ? out.slice(0, -1) : out;
        assert.ok(!/&(?!amp;|lt;|gt;)/.test(body), `broken escape in ${body}`);
        assert.ok(!/[<>`]/.test(body));
        assert.ok(!/[\ud800-\udbff]$/.test(body), 'no lone high surrogate at the cut');
        if (!out.endsWith('…') || raw.length === 0) assert.equal(body, escapeSlack(raw.replace(/`/g, 'ˋ')));
      }),
    );
  });

  it('keeps short SQL whole and says who decided', () => {
    const message = slackMessageOf(notice({ kind: 'approved', decidedBy: ['olivia', 'oscar'] }));
    assert.ok(message.text.includes(codeBlock('INSERT INTO sales.orders VALUES (1)', 3000)));
    assert.match(message.text, /Approved\* by `olivia`, `oscar`/);
    assert.equal(slackMessageOf(notice({ kind: 'expired' })).blocks.length, 3);
  });
});
