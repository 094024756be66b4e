/**
 * Finds the new part of a reply in its plain text: everything before the quoted earlier mail
 * (an "On <date>, <name> wrote:" line in many languages, Outlook's "Original Message" or
 * "From: … Sent: …" header block, ">" lines) and before the signature ("-- ", "Sent from my
 * iPhone"). HTML mail reaches here already converted to text, where Gmail's gmail_quote and
 * Apple Mail's blockquote type=cite have become ">" lines after their attribution.
 */

/** Ends of attribution lines: the verb, then a colon (full-width in Chinese and Japanese). */
const attributionEnd = new RegExp(
  "(wrote|writes|schrieb|a écrit|escribió|ha scritto|escreveu|schreef|skrev|kirjoitti|napisał\\(a\\)|napisał|napisała|" +
    "napsal\\(a\\)|napsal|írta|yazdı|έγραψε|пишет|написал\\(а\\)|написал|написала|写道|寫道|のメッセージ)\\s*[:：]\\s*$",
  "i",
);
/** Attributions whose verb sits before the sender: "Am … schrieb Alice <a@x>:" (German, Dutch, Nordic). */
const attributionVerbFirst = /^(Am|Op|Den|På)\s.*\b(schrieb|schreef|skrev)\b.*:\s*$/i;
/** Outlook's separator line, localized. */
const originalMessage =
  /^\s*-{2,}\s*(Original Message|Ursprüngliche Nachricht|Message d'origine|Mensaje original|Messaggio originale|Oorspronkelijk bericht|Mensagem original|Originalmeddelande|Opprinnelig melding|Oprindelig meddelelse|Alkuperäinen viesti|Oryginalna wiadomość|Исходное сообщение)\s*-{2,}\s*$/i;
/** The first and a later line of Outlook's header block ("From: … Sent: …"), possibly bold (*From:*). */
const headerFrom = /^\s*\*?(From|Von|De|Da|Van|Från|Fra|Od|От|Lähettäjä|Feladó)\s*:\*?\s*\S/i;
const headerSent =
  /^\s*\*?(Sent|Date|Gesendet|Datum|Envoyé|Date d'envoi|Enviado|Enviado el|Inviato|Data|Verzonden|Skickat|Sendt|Wysłano|Отправлено|Lähetetty|Elküldve)\s*:/i;
const underscoreRule = /^\s*_{10,}\s*$/;
const signatureDelimiter = /^--\s?$/;
const mobileSignature = new RegExp(
  "^\\s*(Sent from my \\S.*|Sent from (Mail|Outlook) for \\S.*|Get Outlook for (iOS|Android)|Sent from Yahoo Mail.*|" +
    "Envoyé de mon (iPhone|iPad).*|Von meinem (iPhone|iPad|Android).* gesendet|Enviado desde mi (iPhone|iPad).*|" +
    "Inviato da (iPhone|iPad).*|Verzonden vanaf mijn (iPhone|iPad).*|Skickat från min (iPhone|iPad).*|Enviado do meu (iPhone|iPad).*)\\s*$",
  "i",
);

const unquote = (line: string) => line.replace(/^(\s*>)+\s?/, "");

/** Whether lines[i] begins an attribution, which Gmail wraps over up to three lines. The number of lines it spans, or 0. */
function attributionAt(lines: string[], i: number): number {
  for (let span = 1; span <= 3 && i + span <= lines.length; span += 1) {
    const joined = lines
      .slice(i, i + span)
      .map((line) => unquote(line).trim())
      .join(" ");
    if (span > 1 && lines[i + span - 1]!.trim() === "") return 0;
    // A date or an address in it tells it from prose such as "My colleague wrote:".
    if (!/\d|@/.test(joined)) continue;
    if (attributionEnd.test(joined) || attributionVerbFirst.test(joined)) return span;
  }
  return 0;
}

/**
 * Whether lines[i] is an attribution without a verb, as Gmail writes it in Japanese or Russian
 * ("2026年11月20日(金) 15:14 Agent <a@x>:"): a date and an address before a colon, then quotes.
 */
function bareAttributionAt(lines: string[], i: number): boolean {
  if (!/\d.*<[^<>\s]+@[^<>\s]+>\)?\s*[:：]\s*$/.test(lines[i]!)) return false;
  const next = lines.slice(i + 1).find((line) => line.trim() !== "");
  return next !== undefined && /^\s*>/.test(next);
}

/** Whether lines[i] opens Outlook's "From: … Sent: …" block. */
function outlookHeaderAt(lines: string[], i: number): boolean {
  if (!headerFrom.test(lines[i]!)) return false;
  return lines.slice(i + 1, i + 6).some((line) => headerSent.test(line));
}

/** The index of the first line of quoted earlier mail, or lines.length. */
function quoteStart(lines: string[]): number {
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i]!;
    if (originalMessage.test(line)) return i;
    if (underscoreRule.test(line) && i + 1 < lines.length && outlookHeaderAt(lines, i + 1)) return i;
    if (outlookHeaderAt(lines, i)) return i;
    if (attributionAt(lines, i) > 0 || bareAttributionAt(lines, i)) return i;
  }
  return lines.length;
}

/** The index of the first signature line, or lines.length. */
function signatureStart(lines: string[]): number {
  const index = lines.findIndex((line) => signatureDelimiter.test(line) || mobileSignature.test(line));
  return index === -1 ? lines.length : index;
}

/** The new text of a reply: quotes and signature removed, blank lines at either end trimmed. */
export function stripQuotedReply(text: string): string {
  let lines = text.replace(/\r\n?/g, "\n").split("\n");
  lines = lines.slice(0, quoteStart(lines));
  // Inline ">" lines left after the cut are quotes the sender answered between.
  lines = lines.filter((line) => !/^\s*>/.test(line));
  lines = lines.slice(0, signatureStart(lines));
  return lines
    .map((line) => line.replace(/[ \t\u00a0]+$/, ""))
    .join("\n")
    .replace(/\n{3,}/g, "\n\n")
    .replace(/^\n+|\n+$/g, "");
}
