import type { ApprovalNotice } from '../../domain/ports.js';
/**
 * Slack-compatible message (`{ text, blocks }`) for an approval notice. Everything that comes from
 * users (SQL, reason, comments, subjects) is escaped per Slack's rules (&, <, >) so it can never form
 * a link, mention or command, and sits in code (inline or block) with its backticks replaced by a
 * look-alike, so it can neither close the code nor start formatting. Truncation counts the escaped
 * characters, so Slack's length limits hold and an escape is never cut in half.
 */

export interface SlackMessage {
  readonly text: string;
  readonly blocks: readonly Record<string, unknown>[];
}

/** U+02CB MODIFIER LETTER GRAVE ACCENT: reads like a backtick, is not one. */
const backtickLookalike = '\u02cb';
const ellipsis = '…';

/** Slack's three control characters; nothing else is entity-encoded (Slack would show it raw). */
export const escapeSlack = (text: string): string => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

const safeCodePoint = (ch: string): string => escapeSlack(ch === '`' ? backtickLookalike : ch);

/** Escaped text of at most `max` characters; cut between code points, never inside an escape. */
export function escapeTruncated(raw: string, max: number): string {
  let out = '';
  for (const ch of raw) {
    const piece = safeCodePoint(ch);
    if (out.length + piece.length > max - ellipsis.length) {
      return out + ellipsis;
    }
    out += piece;
  }
  return out;
}

export const codeBlock = (raw: string, max: number): string => '```\n' + escapeTruncated(raw, max - 8) + '\n```';

export function inlineCode(raw: string, max = 300): string {
  const oneLine = raw.replace(/\s+/g, ' ').trim();
  return oneLine ? '`' + escapeTruncated(oneLine, max - 2) + '`' : '_none_';
}

const headlines: Record<ApprovalNotice['kind'], string> = {
  approval_requested: ':hourglass_flowing_sand: *Approval requested*',
  approved: ':white_check_mark: *Approved*',
  rejected: ':x: *Rejected*',
  expired: ':alarm_clock: *Approval expired*',
};

function headline(notice: ApprovalNotice): string {
  const who = notice.decidedBy?.length ? ` by ${notice.decidedBy.map((s) => inlineCode(s, 120)).join(', ')}` : '';
  return `${headlines[notice.kind]}${who} — query ${inlineCode(notice.requestId, 100)}`;
}

export function slackMessageOf(notice: ApprovalNotice): SlackMessage {
  const requester = [notice.requester.subject, notice.requester.email ? `<${notice.requester.email}>` : '', notice.requester.actor ? `via ${notice.requester.actor}` : '']
    .filter(Boolean)
    .join(' ');
  const fields = [
    `*Requester*\n${inlineCode(requester)}`,
    `*Rule*\n${inlineCode(notice.rule)}`,
    `*Tables*\n${inlineCode(notice.tables.join(', '), 500)}`,
    `*Approvals needed*\n${notice.required} from ${inlineCode(notice.approverGroups.join(', '))}`,
    `*Expires*\n${inlineCode(notice.expiresAt)}`,
    `*Cost estimate*\n${notice.costEstimateUsd === null ? '_unknown_' : `$${notice.costEstimateUsd.toFixed(4)}`}`,
    `*Reason*\n${inlineCode(notice.reason, 1000)}`,
    ...(notice.comment ? [`*Comment*\n${inlineCode(notice.comment, 1000)}`] : []),
  ];
  const title = headline(notice);
  return {
    // The notification and fallback text: the headline and the SQL, within Slack's 4,000 advised characters.
    text: `${title}\n${codeBlock(notice.sql, 3000)}`,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: title } },
      { type: 'section', fields: fields.map((text) => ({ type: 'mrkdwn', text })) },
      // A section's text is limited to 3,000 characters.
      { type: 'section', text: { type: 'mrkdwn', text: codeBlock(notice.sql, 2900) } },
    ],
  };
}
