import { randomUUID } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createConnection } from "node:net";
import { join } from "node:path";
import type { Binaries } from "./binaries.js";
import { Daemon, ServiceStartError, freePort, run, waitUntil } from "./process.js";
import type { StartedService } from "./service.js";
import type { S3Info } from "./types.js";

/** Fixed test credentials (auth is off inside the cluster; radosgw still signs S3 requests). */
const ACCESS_KEY = "FSOPSTESTACCESSKEY01";
const SECRET_KEY = "fsops-test-secret-key-not-a-secret";

function cephConf(dir: string, fsid: string, monPort: number, rgwPort: number): string {
  return `[global]
fsid = ${fsid}
mon_host = v2:127.0.0.1:${monPort}
public_network = 127.0.0.1/32
auth_cluster_required = none
auth_service_required = none
auth_client_required = none
auth_allow_insecure_global_id_reclaim = true
# With auth off, clients must not ask the monitor for a secure session ("failed to fetch mon config").
ms_mon_client_mode = crc
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
osd_pool_default_size = 1
osd_pool_default_min_size = 1
# One placement group per pool and a short Paxos interval: radosgw creates its pools at start and
# on first use; with the defaults (32 PGs, 1 s proposals) each pool took ~2 s, bring-up ~11 s.
osd_pool_default_pg_num = 1
osd_pool_default_pgp_num = 1
paxos_propose_interval = 0.1
paxos_min_wait = 0.01
osd_crush_chooseleaf_type = 0
run_dir = ${dir}/run
admin_socket = ${dir}/run/$name.asok
pid_file = ${dir}/run/$name.pid
log_file = ${dir}/log/$name.log
chdir = ""
keyring = /dev/null

[mon]
mon_data = ${dir}/mon/$id
mon_data_avail_crit = 0
mon_data_avail_warn = 0
mon_cluster_log_file = ${dir}/log/cluster.log

[osd]
osd_data = ${dir}/osd/$id
osd_objectstore = memstore
memstore_device_bytes = 1073741824

[client.rgw.fsops]
rgw_frontends = beast endpoint=127.0.0.1:${rgwPort}
rgw_data = ${dir}/rgw
`;
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/** Single-node Ceph: one monitor, one memstore OSD, radosgw (beast) on loopback; S3 with conditional writes. */
export async function startS3(binaries: Binaries, dir: string): Promise<StartedService<S3Info>> {
  for (const sub of ["mon", "osd", "run", "log", "rgw"]) mkdirSync(join(dir, sub), { recursive: true });
  const fsid = randomUUID();
  const monPort = await freePort();
  let rgwPort = await freePort();
  while (rgwPort === monPort) rgwPort = await freePort();
  const conf = join(dir, "ceph.conf");
  writeFileSync(conf, cephConf(dir, fsid, monPort, rgwPort));
  const env = { ...process.env, CEPH_CONF: conf };
  const ceph = (args: string[]) => run(binaries.find("ceph"), ["--connect-timeout", "15", ...args], { env });
  const log = (name: string) => join(dir, "log", `${name}.out`);
  const daemons: Daemon[] = [];

  try {
    await run(
      binaries.find("monmaptool"),
      ["--create", "--fsid", fsid, "--addv", "a", `[v2:127.0.0.1:${monPort}]`, join(dir, "monmap")],
      { env },
    );
    await run(
      binaries.find("ceph-mon"),
      ["--mkfs", "-i", "a", "--monmap", join(dir, "monmap"), "--keyring", "/dev/null"],
      { env },
    );
    const mon = new Daemon("ceph-mon", binaries.find("ceph-mon"), ["-f", "-i", "a"], log("mon"), env);
    daemons.push(mon);
    await waitUntil("s3 (ceph)", "the monitor to listen", () => tcpOpen(monPort), {
      watch: [mon],
      logFile: join(dir, "log", "mon.a.log"),
    });

    const osdUuid = randomUUID();
    const osdId = (await ceph(["osd", "new", osdUuid])).stdout.trim();
    mkdirSync(join(dir, "osd", osdId));
    await run(binaries.find("ceph-osd"), ["-i", osdId, "--mkfs", "--osd-uuid", osdUuid], { env });
    const osd = new Daemon("ceph-osd", binaries.find("ceph-osd"), ["-f", "-i", osdId], log("osd"), env);
    daemons.push(osd);

    // radosgw waits for the OSD itself, then creates its pools.
    const rgw = new Daemon(
      "radosgw",
      binaries.find("radosgw"),
      ["-f", "-n", "client.rgw.fsops"],
      log("rgw"),
      env,
    );
    daemons.push(rgw);
    await waitUntil(
      "s3 (ceph)",
      "radosgw to answer HTTP",
      async () => (await fetch(`http://127.0.0.1:${rgwPort}/`)).status === 200,
      {
        watch: daemons,
        timeoutMs: 120_000,
        intervalMs: 100,
        logFile: join(dir, "log", "client.rgw.fsops.log"),
      },
    );
    await run(
      binaries.find("radosgw-admin"),
      [
        "user",
        "create",
        "--uid",
        "fsops-test",
        "--display-name",
        "fsops test",
        "--access-key",
        ACCESS_KEY,
        "--secret-key",
        SECRET_KEY,
      ],
      { env },
    );
  } catch (error) {
    await Promise.all(daemons.map((d) => d.kill()));
    rmSync(dir, { recursive: true, force: true });
    throw error instanceof ServiceStartError
      ? error
      : new ServiceStartError("s3 (ceph)", (error as Error).message);
  }

  return {
    info: {
      endpoint: `http://127.0.0.1:${rgwPort}`,
      accessKeyId: ACCESS_KEY,
      secretAccessKey: SECRET_KEY,
      region: "us-east-1",
    },
    pids: daemons.flatMap((d) => (d.pid ? [d.pid] : [])),
    async stop() {
      // Throwaway data: SIGKILL (a memstore OSD would otherwise write its store to disk on exit).
      await Promise.all(daemons.map((d) => d.kill()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
