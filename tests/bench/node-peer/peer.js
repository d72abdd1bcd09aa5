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

const fs = require('fs');
const path = require('path');
const mqtt = require('mqtt');
const yaml = require('js-yaml');
const { Engine } = require('json-rules-engine');

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i > 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}
const host = arg('--host', '127.0.0.1');
const port = Number(arg('--port', '1883'));
const directoryDir = arg('--directory', path.join(__dirname, '../../../config/directory'));

const MINOR_AGE = 18;
const DOUBTFUL_MARGIN = 2;

// ---- lookup tables from the directory --------------------------------------

const today = new Date().toISOString().slice(0, 10);
const agencies = [];
for (const file of fs.readdirSync(directoryDir).filter((f) => f.endsWith('.yaml')).sort()) {
  const doc = yaml.load(fs.readFileSync(path.join(directoryDir, file), 'utf8')) || {};
  for (const a of doc.agencies || []) {
    if (a.valid_from && String(a.valid_from) > today) continue;
    if (a.valid_to && String(a.valid_to) < today) continue;
    agencies.push(a);
  }
}
const consulateOf = new Map(); // "GT|MX-CHP" or "GT|MX" -> agency id (first listed wins)
const foreignMinistryOf = new Map(); // "GT" -> agency id
const childWelfareOf = new Map(); // "MX-CHP" or "GT" -> agency id
const ombudsmanOf = new Map();
for (const a of agencies) {
  const serves = a.serves || [];
  if (a.kind === 'consulate') {
    for (const area of serves) {
      const key = `${a.country}|${area}`;
      if (!consulateOf.has(key)) consulateOf.set(key, a.id);
    }
  } else if (a.kind === 'foreign_ministry') {
    if (!foreignMinistryOf.has(a.country)) foreignMinistryOf.set(a.country, a.id);
  } else if (a.kind === 'child_welfare') {
    for (const area of serves) if (!childWelfareOf.has(area)) childWelfareOf.set(area, a.id);
  } else if (a.kind === 'ombudsman') {
    for (const area of serves) if (!ombudsmanOf.has(area)) ombudsmanOf.set(area, a.id);
  }
}
const UNROUTED = 'duty-officer';

function resolve(role, ev) {
  const loc = ev.location || {};
  switch (role) {
    case 'consulate':
      return (ev.subject.nationalities || []).map(
        (nat) =>
          consulateOf.get(`${nat}|${loc.admin1}`) ||
          consulateOf.get(`${nat}|${loc.country}`) ||
          foreignMinistryOf.get(nat) ||
          UNROUTED,
      );
    case 'child_welfare':
      return [childWelfareOf.get(loc.admin1) || childWelfareOf.get(loc.country) || UNROUTED];
    case 'receiving_child_welfare':
      return [childWelfareOf.get((ev.return || {}).to_country) || UNROUTED];
    case 'ombudsman':
      return [ombudsmanOf.get(loc.admin1) || ombudsmanOf.get(loc.country) || UNROUTED];
    default:
      return [UNROUTED];
  }
}

// ---- rules (a subset of rules/*.yaml, DESIGN.md §4, DOMAIN.md (a)) ----------

const engine = new Engine([], { allowUndefinedFacts: true });
const CUSTODY = ['apprehension', 'detention'];
engine.addRule({
  name: 'unaccompanied-child-in-custody', // VCCR art. 37(b); LM art. 112
  conditions: {
    all: [
      { fact: 'type', operator: 'in', value: CUSTODY },
      { fact: 'minor', operator: 'equal', value: true },
      { fact: 'accompaniment', operator: 'notEqual', value: 'accompanied' },
    ],
  },
  event: { type: 'alert', params: { rule: 'unaccompanied-child-in-custody', severity: 'critical', notify: ['consulate', 'child_welfare'] } },
});
engine.addRule({
  name: 'child-in-migration-station', // MX-1, MX-2: LM arts 99, 112
  conditions: {
    all: [
      { fact: 'country', operator: 'equal', value: 'MX' },
      { fact: 'facility_type', operator: 'equal', value: 'migration_station' },
      { fact: 'minor', operator: 'equal', value: true },
    ],
  },
  event: { type: 'alert', params: { rule: 'child-in-migration-station', severity: 'critical', notify: ['child_welfare'] } },
});
engine.addRule({
  name: 'us-uac-notify-hhs-48h', // US-1: 8 USC 1232(b)(2)
  conditions: {
    all: [
      { fact: 'country', operator: 'equal', value: 'US' },
      { fact: 'type', operator: 'in', value: CUSTODY },
      { fact: 'minor', operator: 'equal', value: true },
      { fact: 'accompaniment', operator: 'in', value: ['unaccompanied', 'separated'] },
    ],
  },
  event: { type: 'alert', params: { rule: 'us-uac-notify-hhs-48h', severity: 'high', notify: ['child_welfare'] } },
});
engine.addRule({
  name: 'return-of-a-child', // A5: receiving child-welfare authority
  conditions: {
    all: [
      { fact: 'type', operator: 'equal', value: 'return' },
      { fact: 'minor', operator: 'equal', value: true },
    ],
  },
  event: { type: 'alert', params: { rule: 'return-of-a-child', severity: 'high', notify: ['receiving_child_welfare'] } },
});
// Inhibit (INT-3, MX-6): the state the child may be fleeing is never told.
function inhibited(role, facts) {
  return role === 'consulate' && facts.fleeing;
}

// ---- facts -----------------------------------------------------------------

function ageYears(subject, occurredAt) {
  if (subject.birth_date) {
    const [by, bm, bd] = subject.birth_date.split('-').map(Number);
    const [oy, om, od] = occurredAt.slice(0, 10).split('-').map(Number); // local date
    let age = oy - by;
    if (om < bm || (om === bm && od < bd)) age -= 1;
    return { years: age, basis: 'document' };
  }
  return subject.age || { years: undefined, basis: 'unknown' };
}

function factsOf(ev) {
  const s = ev.subject || {};
  const age = ageYears(s, ev.occurred_at || '');
  const minor =
    age.years === undefined ||
    age.basis === 'unknown' ||
    age.years < MINOR_AGE ||
    (age.basis !== 'document' && age.years < MINOR_AGE + DOUBTFUL_MARGIN);
  const flags = s.flags || [];
  return {
    type: ev.type,
    minor,
    accompaniment: s.accompaniment,
    country: (ev.location || {}).country,
    facility_type: ((ev.location || {}).facility || {}).type,
    fleeing: flags.includes('asylum_claim') || flags.includes('fear_of_return'),
  };
}

// ---- MQTT ------------------------------------------------------------------

const client = mqtt.connect(`mqtt://${host}:${port}`, {
  clientId: `bench-node-peer-${process.pid}`,
  clean: true,
  keepalive: 30,
  reconnectPeriod: 0,
});
let seq = 0;

async function handle(payload) {
  let ev;
  try {
    ev = JSON.parse(payload.toString('utf8'));
  } catch (e) {
    return; // no dead letters in the peer
  }
  if (!ev || typeof ev !== 'object' || !ev.subject) return;
  const facts = factsOf(ev);
  const { events } = await engine.run(facts);
  for (const fired of events) {
    for (const role of fired.params.notify) {
      if (inhibited(role, facts)) continue;
      for (const agency of resolve(role, ev)) {
        const alert = {
          schema: 'amparo.alert.v1',
          alert_id: `peer-${process.pid}-${++seq}`,
          rule: fired.params.rule,
          severity: fired.params.severity,
          event_id: ev.event_id,
          recipient: agency,
          role,
          subject: { id: ev.subject.id, nationalities: ev.subject.nationalities },
          location: ev.location,
        };
        client.publish(`rcm/v1/alerts/${agency}`, JSON.stringify(alert), { qos: 1 });
      }
    }
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
