/**
 * examples/kubernetes stays consistent with the gateway: the ConfigMap's shardgate.yaml validates,
 * the sidecar reads it where the pod mounts it, and the probes hit the admin port and paths the
 * admin API serves.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { describe, it } from "node:test";
import { parseAllDocuments } from "yaml";
import { parseConfig } from "../../src/core/config/load-config.ts";

type Doc = Record<string, any>;
const load = (file: string): Doc[] => parseAllDocuments(readFileSync(`examples/kubernetes/${file}`, "utf8")).map((doc) => doc.toJS() as Doc);

describe("examples/kubernetes", () => {
  const [configMap, secret] = load("configmap.yaml");
  const [pod] = load("pod.yaml");
  const sidecar = pod!.spec.initContainers.find((c: Doc) => c.name === "shardgate");

  it("the ConfigMap's shardgate.yaml is a valid config once the Secret's variables are set", () => {
    const env = Object.fromEntries(Object.keys(secret!.stringData).map((name) => [name, `value-of-${name}`]));
    const config = parseConfig(configMap!.data["shardgate.yaml"], { env, readFile: () => "", baseDir: "." });
    assert.deepEqual(config.listen.mysql, { host: "127.0.0.1", port: 15306 });
    assert.deepEqual(config.listen.admin, { host: "0.0.0.0", port: 15000 });
    assert.equal(config.admin.token, "value-of-SHARDGATE_ADMIN_TOKEN");
  });

  it("the sidecar reads the mounted file, gets the Secret, and is probed on the admin port", () => {
    assert.equal(sidecar.restartPolicy, "Always", "a native sidecar");
    const mount = sidecar.volumeMounts.find((m: Doc) => m.name === "shardgate-config");
    assert.equal(`${mount.mountPath}/shardgate.yaml`, sidecar.args[sidecar.args.indexOf("--config") + 1]);
    assert.equal(pod!.spec.volumes.find((v: Doc) => v.name === "shardgate-config").configMap.name, configMap!.metadata.name);
    assert.equal(sidecar.envFrom[0].secretRef.name, secret!.metadata.name);
    const adminPort = sidecar.ports.find((p: Doc) => p.name === "admin").containerPort;
    assert.equal(adminPort, 15000);
    assert.equal(sidecar.startupProbe.httpGet.path, "/healthz");
    assert.equal(sidecar.livenessProbe.httpGet.path, "/healthz");
    assert.equal(sidecar.readinessProbe.httpGet.path, "/readyz");
    for (const probe of [sidecar.startupProbe, sidecar.livenessProbe, sidecar.readinessProbe]) assert.equal(probe.httpGet.port, "admin");
  });

  it("the app container is pointed at the sidecar's MySQL port", () => {
    const app = pod!.spec.containers.find((c: Doc) => c.name === "app");
    const env = Object.fromEntries(app.env.filter((e: Doc) => "value" in e).map((e: Doc) => [e.name, e.value]));
    assert.deepEqual([env.MYSQL_HOST, env.MYSQL_PORT], ["127.0.0.1", "15306"]);
  });
});
