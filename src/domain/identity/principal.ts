/** Who is calling, as established from a verified token. Groups come from the token itself, every time. */
export interface Principal {
  readonly subject: string;
  readonly issuer: string;
  readonly email?: string;
  readonly groups: readonly string[];
  /** RFC 8693 `act`: the party acting on behalf of `subject` (e.g. an agent acting for a person). */
  readonly actor?: { readonly subject: string; readonly email?: string };
}

/** Every identity a principal stands for: itself and whoever it acts for or is acted for by. */
export function identitiesOf(principal: Principal): { subjects: string[]; emails: string[] } {
  const subjects = [principal.subject, principal.actor?.subject].filter((s): s is string => !!s);
  const emails = [principal.email, principal.actor?.email]
    .filter((e): e is string => !!e)
    .map((e) => e.trim().toLowerCase());
  return { subjects, emails };
}
