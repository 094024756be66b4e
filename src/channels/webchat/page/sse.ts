/**
 * The part of the browser script that reads a reply's Server-Sent Events from a fetch body:
 * `frames(body)` yields `{event, data}` with `data` parsed as JSON. Spliced into the script's
 * closure (see script.ts), so it must stay plain browser JavaScript without backticks.
 */
export const SSE_SCRIPT = String.raw`
  function parseFrame(block) {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length === 0) return null;
    try { return { event, data: JSON.parse(data.join("\n")) }; } catch { return null; }
  }

  async function* frames(body) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    for (;;) {
      const { done, value } = await reader.read();
      buffer += decoder.decode(value, { stream: !done }).replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const frame = parseFrame(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (frame) yield frame;
      }
      if (done) return;
    }
  }
`;
