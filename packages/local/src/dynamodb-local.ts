import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);

/** How long a cold JVM may take to answer on a busy two-core machine. */
const START_TIMEOUT_MS = 60_000;

/**
 * The shell between us and Java. It holds our end of a pipe on its standard input for as long as
 * this process lives: when this process ends, however it ends (a crash, SIGKILL, a test worker
 * torn down without `stop()`), `cat` reads end of file and Java is killed with it. SIGTERM from
 * `stop()` kills Java too and waits until it has exited, so its port is free for a restart. A
 * background job reads /dev/null unless told otherwise, hence the descriptor 3.
 */
const WATCHDOG = `exec 3<&0
java "$@" </dev/null & java=$!
trap 'kill $java 2>/dev/null; wait $java; exit 0' TERM
(cat <&3 >/dev/null; kill $java 2>/dev/null) &
wait $java`;

export interface DynamoDbLocal {
  port: number;
  stop(): Promise<void>;
}

/** Java could not listen on the port it was given: another process took it first. */
class PortTaken extends Error {}

/**
 * Starts the official DynamoDB Local (the jar inside the `amplify-dynamodb-simulator` package),
 * listening on 127.0.0.1 only (`LoopbackDynamoDBLocal.java`: the jar has no bind-address
 * option), its data in SQLite under `dbPath` so a restart finds it; resolves once it answers
 * HTTP. Needs a Java 17+ JDK on PATH (`javac` compiles the launcher once). `port` 0 picks a free one (and picks again if another
 * process takes it before Java listens).
 */
export async function startDynamoDbLocal(dbPath: string, port: number): Promise<DynamoDbLocal> {
  mkdirSync(dbPath, { recursive: true });
  for (let attempt = 1; ; attempt++) {
    try {
      return await launch(dbPath, port || (await freePort()));
    } catch (err) {
      if (port || attempt >= 3 || !(err instanceof PortTaken)) throw err;
    }
  }
}

async function launch(dbPath: string, port: number): Promise<DynamoDbLocal> {
  const emulator = join(dirname(require.resolve('amplify-dynamodb-simulator/package.json')), 'emulator');
  const classpath = [join(emulator, 'DynamoDBLocal.jar'), join(emulator, 'DynamoDBLocal_lib', '*')];
  const javaArgs = [
    // Short-lived test servers: C1 alone starts about a second sooner and is fast enough.
    '-XX:TieredStopAtLevel=1',
    '-Xmx1g',
    `-Djava.library.path=${join(emulator, 'DynamoDBLocal_lib')}`,
    '-cp',
    [launcherClasses(classpath), ...classpath].join(delimiter),
    LAUNCHER,
    '-sharedDb',
    '-dbPath',
    dbPath,
    '-port',
    String(port),
    '-disableTelemetry',
  ];
  const child = spawn('sh', ['-c', WATCHDOG, 'dynamodb-local', ...javaArgs], {
    cwd: emulator,
    // Its own process group: Ctrl-C in a terminal reaches `npm start`, which drains the ingest
    // queue into the table before it stops this server, not Java at the same moment.
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, DDB_LOCAL_TELEMETRY: '0' },
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  child.once('error', (err) => keep(Buffer.from(String(err))));

  const endpoint = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    // Whatever holds the port may answer HTTP: a failed bind is read from the output first.
    if (/Failed to bind|BindException/.test(output)) {
      await terminate(child, exited);
      throw new PortTaken(`DynamoDB Local could not listen on port ${port}:\n${output}`);
    }
    if (child.exitCode !== null || child.signalCode !== null) {
      const hint = child.exitCode === 127 ? ' (is Java 17+ installed and on PATH?)' : '';
      throw new Error(`DynamoDB Local exited with code ${child.exitCode}${hint}:\n${output}`);
    }
    if (await answersAsJetty(endpoint)) break;
    if (Date.now() > deadline) {
      await terminate(child, exited);
      throw new Error(`DynamoDB Local did not answer on ${endpoint} within ${START_TIMEOUT_MS} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { port, stop: () => terminate(child, exited) };
}

const LAUNCHER = 'LoopbackDynamoDBLocal';

/**
 * The launcher's classes, compiled once per machine and version of its source (a few seconds),
 * under the temp dir: into a fresh directory, then renamed into place, so processes starting at
 * once never see half a compile.
 */
function launcherClasses(classpath: string[]): string {
  const source = join(dirname(fileURLToPath(import.meta.url)), `${LAUNCHER}.java`);
  const version = createHash('sha256').update(readFileSync(source)).digest('hex').slice(0, 12);
  const dir = join(tmpdir(), `intent-dynamodb-local-${version}`);
  if (existsSync(join(dir, `${LAUNCHER}.class`))) return dir;
  const staging = mkdtempSync(`${dir}-`);
  try {
    execFileSync('javac', ['-cp', classpath.join(delimiter), '-d', staging, source], { stdio: 'pipe' });
  } catch (err) {
    rmSync(staging, { recursive: true, force: true });
    const missing = (err as NodeJS.ErrnoException).code === 'ENOENT';
    throw new Error(missing ? 'DynamoDB Local needs a Java 17+ JDK: javac is not on PATH' : `javac failed: ${String(err)}`);
  }
  try {
    renameSync(staging, dir);
  } catch {
    // Another process put it there first.
    rmSync(staging, { recursive: true, force: true });
  }
  return dir;
}

async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
  await exited;
  child.stdin?.destroy();
}

/** DynamoDB Local answers any request from Jetty (a 400 here); a refused connection means not yet. */
async function answersAsJetty(endpoint: string): Promise<boolean> {
  try {
    const res = await fetch(endpoint, { method: 'POST', signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.headers.get('server')?.startsWith('Jetty') ?? false;
  } catch {
    return false;
  }
}

/** A port free right now on loopback, for a server we cannot ask to pick one itself. */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (address && typeof address === 'object' ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
