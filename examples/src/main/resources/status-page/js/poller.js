// Repeats a task every `intervalMillis` after the previous run ended, so that runs never overlap.
// The task returns false to stop; stop() stops it from outside (a view that is left).

export function poll(task, intervalMillis) {
  let stopped = false;
  let timer = null;
  async function run() {
    timer = null;
    let again = true;
    try {
      again = (await task()) !== false;
    } catch (e) {
      console.error(e); // tasks show their own errors; this one keeps polling
    } finally {
      if (again && !stopped) {
        timer = setTimeout(run, intervalMillis);
      }
    }
  }
  run();
  return {
    stop() {
      stopped = true;
      if (timer !== null) {
        clearTimeout(timer);
      }
    },
  };
}
