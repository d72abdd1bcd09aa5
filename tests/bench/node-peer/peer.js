#!/usr/bin/env node
// The Node.js peer of the end-to-end benchmark (tests/bench/run-e2e, row
// "peer"): what a user would build instead of amparod, with the npm packages
// `mqtt` and `json-rules-engine`.
//
// It subscribes to rcm/v1/events/# (QoS 1), runs a faithful subset of the
// child-protection rules (DESIGN.md §4, DOMAIN.md (a)) on each event, routes
// each role through lookup tables built once from config/directory/*.yaml
// (nationality x admin1 -> consulate, admin1/country -> child welfare), and
// publishes one alert per (rule, recipient) to rcm/v1/alerts/{agency} at QoS 1.
//
// Deliberately WITHOUT durability: nothing is stored, the PUBACK goes out as
// mqtt.js receives the message, there are no receipts, no dead letters, no
// schema validation, no retries, no clocks. That is the point of comparison.
//
// usage: node peer.js --port P [--host H] --directory DIR
'use strict';

const path = require('path');
const mqtt = require('mqtt');
const { makePeer } = require('./rules.js');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const host = arg('--host', '127.0.0.1');
const port = Number(arg('--port', '1883'));
const directoryDir = arg('--directory', path.join(__dirname, '../../../config/directory'));

// The rules and routing: rules.js (shared with the Node-RED row).

// ---- MQTT ------------------------------------------------------------------

const client = mqtt.connect(`mqtt://${host}:${port}`, {
  clientId: `bench-node-peer-${process.pid}`,
  clean: true,
  keepalive: 30,
  reconnectPeriod: 0,
});
const peer = makePeer(directoryDir);

async function handle(payload) {
  for (const alert of await peer.handle(payload)) {
    client.publish(alert.topic, alert.payload, { qos: 1 });
  }
}

client.on('message', (topic, payload) => {
  handle(payload).catch((e) => console.error('peer: ' + e.message));
});
client.on('connect', () => {
  client.subscribe('rcm/v1/events/#', { qos: 1 }, (err) => {
    if (err) {
      console.error('peer: subscribe: ' + err.message);
      process.exit(1);
    }
    console.log('ready');
  });
});
client.on('error', (e) => {
  console.error('peer: ' + e.message);
  process.exit(1);
});
client.on('close', () => process.exit(0));
for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => client.end(false, () => process.exit(0)));
