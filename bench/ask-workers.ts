/**
 * Sends a command (`{type, id}`) to every consumer worker on `channel` and waits for each one's
 * answer of type `answer` to that id (10 s at most): how the main thread starts and stops the
 * counters the workers keep. `payloadOf` takes an answer's payload.
 */
export function askWorkers<M extends { type: string; id: number }, T>(
  channel: BroadcastChannel,
  workers: number,
  command: { type: string; id: number },
  answer: string,
  payloadOf: (message: M) => T,
): Promise<T[]> {
  const answers: T[] = [];
  return new Promise((resolve, reject) => {
    if (workers === 0) return resolve(answers);
    const timer = setTimeout(
      () => reject(new Error(`${workers - answers.length} consumer workers did not answer "${command.type}"`)),
      10_000,
    );
    channel.onmessage = (e) => {
      const m = (e as MessageEvent<M>).data;
      if (m.type !== answer || m.id !== command.id) return;
      answers.push(payloadOf(m));
      if (answers.length === workers) {
        clearTimeout(timer);
        resolve(answers);
      }
    };
    channel.postMessage(command);
  });
}
