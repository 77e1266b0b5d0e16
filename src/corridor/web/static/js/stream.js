// The server-sent event stream read with fetch: EventSource cannot send the bearer header.
// Each event's id is an audit sequence number, so reconnecting with Last-Event-ID resumes
// exactly where the stream broke off.

function parseEvent(block) {
  const event = { id: null, event: "message", data: "" };
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
    if (field === "data") data.push(value);
    else if (field === "id" || field === "event" || field === "retry") event[field] = value;
  }
  event.data = data.join("\n");
  return event;
}

/**
 * Follow /api/events until stop() is called. onEvent gets {id, event, data (parsed JSON)};
 * onState gets "live" or "reconnecting".
 */
export function followEvents(api, { onEvent, onState }) {
  const controller = new AbortController();
  let lastId = null;
  let retryMs = 2000;

  async function connectOnce() {
    const headers = api.headers(lastId ? { "Last-Event-ID": lastId } : {});
    const response = await fetch("/api/events", { headers, signal: controller.signal });
    if (!response.ok) throw new Error(`event stream refused: ${response.status}`);
    onState("live");
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, "\n");
      let end;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const event = parseEvent(buffer.slice(0, end));
        buffer = buffer.slice(end + 2);
        if (event.retry) retryMs = Number(event.retry) || retryMs;
        if (event.id !== null) lastId = event.id;
        if (event.data) onEvent({ ...event, data: JSON.parse(event.data) });
      }
    }
  }

  (async () => {
    while (!controller.signal.aborted) {
      try {
        await connectOnce();
      } catch (error) {
        if (controller.signal.aborted) return;
      }
      onState("reconnecting");
      await new Promise((resolve) => setTimeout(resolve, retryMs));
    }
  })();

  return { stop: () => controller.abort() };
}
