/**
 * Writes src/sample-db/sample-users.data.ts: the 100 sample users with precomputed bcrypt
 * hashes, so seeding a database takes milliseconds instead of seconds of hashing.
 *
 * The profiles are deterministic (a seeded generator); only the bcrypt salts change when it
 * is run again. Run it from the repository root after changing the profiles:
 *
 *   npx tsc -p tsconfig.build.json && node dist/sample-db/generate-sample-users.js
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { samplePassword, type SampleUser } from './sample-user.js';

const OUTPUT = resolve('src/sample-db/sample-users.data.ts');
const BCRYPT_COST = 10;
const USER_COUNT = 100;
/** One well-known blocked user, so the blocked paths can be tried by hand. */
const BLOCKED_USERNAME = 'mallory';

// Given names in order; the first one is alice (phone +15550100001), usernames are these
// lower-cased, so they are unique by construction.
const GIVEN_NAMES: readonly (readonly [string, 'M' | 'F' | 'U'])[] = [
  ['Alice', 'F'], ['Bob', 'M'], ['Carol', 'F'], ['Dave', 'M'], ['Erin', 'F'], ['Frank', 'M'],
  ['Grace', 'F'], ['Heidi', 'F'], ['Ivan', 'M'], ['Judy', 'F'], ['Mallory', 'F'], ['Niaj', 'M'],
  ['Olivia', 'F'], ['Peggy', 'F'], ['Rupert', 'M'], ['Sybil', 'F'], ['Trent', 'M'], ['Victor', 'M'],
  ['Walter', 'M'], ['Yusuf', 'M'], ['Zoe', 'F'], ['Amara', 'F'], ['Bjorn', 'M'], ['Chen', 'M'],
  ['Dalia', 'F'], ['Emeka', 'M'], ['Farah', 'F'], ['Gustavo', 'M'], ['Hana', 'F'], ['Ingrid', 'F'],
  ['Jamal', 'M'], ['Keiko', 'F'], ['Lars', 'M'], ['Maya', 'F'], ['Nikolai', 'M'], ['Oona', 'F'],
  ['Pablo', 'M'], ['Quinn', 'U'], ['Rosa', 'F'], ['Sanjay', 'M'], ['Tamsin', 'F'], ['Umar', 'M'],
  ['Valentina', 'F'], ['Wen', 'U'], ['Ximena', 'F'], ['Yara', 'F'], ['Zeke', 'M'], ['Aiko', 'F'],
  ['Bruno', 'M'], ['Camille', 'F'], ['Diego', 'M'], ['Elif', 'F'], ['Femi', 'M'], ['Giulia', 'F'],
  ['Hugo', 'M'], ['Isla', 'F'], ['Jonas', 'M'], ['Kavya', 'F'], ['Luca', 'M'], ['Mei', 'F'],
  ['Nadia', 'F'], ['Omar', 'M'], ['Priya', 'F'], ['Rafael', 'M'], ['Saoirse', 'F'], ['Tariq', 'M'],
  ['Uma', 'F'], ['Viktor', 'M'], ['Willa', 'F'], ['Xavier', 'M'], ['Yosef', 'M'], ['Zainab', 'F'],
  ['Anders', 'M'], ['Beatriz', 'F'], ['Cyrus', 'M'], ['Daria', 'F'], ['Elias', 'M'], ['Fatima', 'F'],
  ['Gideon', 'M'], ['Helena', 'F'], ['Ismael', 'M'], ['Jana', 'F'], ['Kofi', 'M'], ['Leila', 'F'],
  ['Mateo', 'M'], ['Noor', 'U'], ['Oskar', 'M'], ['Paula', 'F'], ['Ravi', 'M'], ['Sofia', 'F'],
  ['Tomas', 'M'], ['Ursula', 'F'], ['Vera', 'F'], ['Wiremu', 'M'], ['Xiu', 'F'], ['Yannick', 'M'],
  ['Zara', 'F'], ['Ahmed', 'M'], ['Brigid', 'F'], ['Casimir', 'M'],
];

const FAMILY_NAMES: readonly string[] = [
  'Anderson', 'Baker', 'Carter', 'Dubois', 'Eriksen', 'Fernández', 'García', 'Hoffmann', 'Ito',
  'Jensen', 'Kowalski', 'López', 'Müller', 'Nakamura', 'Okafor', 'Petrov', 'Quispe', 'Rossi',
  'Schmidt', 'Tanaka', 'Úlfarsson', 'Vasquez', 'Wang', 'Xu', 'Yilmaz', 'Zhang', 'Novak', 'Singh',
  'Haddad', 'Mensah', 'O\'Brien', 'Larsen',
];

const MIDDLE_NAMES: readonly string[] = ['Marie', 'James', 'Lee', 'Rose', 'Ann', 'Jay'];

const COMPANIES: readonly string[] = [
  'Acme Corp', 'Globex', 'Initech', 'Umbrella Health', 'Stark Industries', 'Wayne Enterprises',
  'Hooli', 'Pied Piper', 'Vandelay Industries', 'Soylent Foods', 'Tyrell Systems', 'Wonka Confections',
];

interface Place {
  readonly city: string;
  readonly region: string;
  readonly country: string;
  readonly postalCode: string;
  readonly zoneinfo: string;
  readonly locale: string;
  readonly streets: readonly string[];
}

const PLACES: readonly Place[] = [
  { city: 'Portland', region: 'OR', country: 'US', postalCode: '97205', zoneinfo: 'America/Los_Angeles', locale: 'en-US', streets: ['SW Morrison St', 'NW Flanders St'] },
  { city: 'Austin', region: 'TX', country: 'US', postalCode: '78701', zoneinfo: 'America/Chicago', locale: 'en-US', streets: ['Congress Ave', 'E 6th St'] },
  { city: 'Boston', region: 'MA', country: 'US', postalCode: '02108', zoneinfo: 'America/New_York', locale: 'en-US', streets: ['Beacon St', 'Tremont St'] },
  { city: 'Toronto', region: 'ON', country: 'CA', postalCode: 'M5V 2T6', zoneinfo: 'America/Toronto', locale: 'en-CA', streets: ['King St W', 'Queen St W'] },
  { city: 'London', region: 'England', country: 'GB', postalCode: 'EC1A 1BB', zoneinfo: 'Europe/London', locale: 'en-GB', streets: ['Fleet Street', 'Old Street'] },
  { city: 'Berlin', region: 'Berlin', country: 'DE', postalCode: '10115', zoneinfo: 'Europe/Berlin', locale: 'de-DE', streets: ['Invalidenstraße', 'Torstraße'] },
  { city: 'Lyon', region: 'Auvergne-Rhône-Alpes', country: 'FR', postalCode: '69002', zoneinfo: 'Europe/Paris', locale: 'fr-FR', streets: ['Rue de la République', 'Quai Saint-Antoine'] },
  { city: 'Madrid', region: 'Comunidad de Madrid', country: 'ES', postalCode: '28013', zoneinfo: 'Europe/Madrid', locale: 'es-ES', streets: ['Calle Mayor', 'Gran Vía'] },
  { city: 'Tokyo', region: 'Tokyo', country: 'JP', postalCode: '100-0005', zoneinfo: 'Asia/Tokyo', locale: 'ja-JP', streets: ['Marunouchi 1-chome', 'Ginza 4-chome'] },
  { city: 'Shanghai', region: 'Shanghai', country: 'CN', postalCode: '200003', zoneinfo: 'Asia/Shanghai', locale: 'zh-CN', streets: ['Nanjing Road', 'Huaihai Road'] },
  { city: 'Bengaluru', region: 'Karnataka', country: 'IN', postalCode: '560001', zoneinfo: 'Asia/Kolkata', locale: 'en-IN', streets: ['MG Road', 'Brigade Road'] },
  { city: 'Lagos', region: 'Lagos', country: 'NG', postalCode: '101241', zoneinfo: 'Africa/Lagos', locale: 'en-NG', streets: ['Awolowo Road', 'Admiralty Way'] },
  { city: 'São Paulo', region: 'SP', country: 'BR', postalCode: '01310-100', zoneinfo: 'America/Sao_Paulo', locale: 'pt-BR', streets: ['Avenida Paulista', 'Rua Augusta'] },
  { city: 'Sydney', region: 'NSW', country: 'AU', postalCode: '2000', zoneinfo: 'Australia/Sydney', locale: 'en-AU', streets: ['George St', 'Pitt St'] },
  { city: 'Auckland', region: 'Auckland', country: 'NZ', postalCode: '1010', zoneinfo: 'Pacific/Auckland', locale: 'en-NZ', streets: ['Queen Street', 'Ponsonby Road'] },
];

/** mulberry32: a tiny seeded generator, so every run builds the same profiles. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T>(items: readonly T[], index: number): T {
  const item = items[index % items.length];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

function buildProfile(index: number, random: () => number): Omit<SampleUser, 'passwordHash'> {
  const [givenName, gender] = pick(GIVEN_NAMES, index);
  const familyName = pick(FAMILY_NAMES, index * 7 + 3);
  const place = pick(PLACES, index * 5 + 1);
  const username = givenName.toLowerCase();
  const middleName = index % 4 === 1 ? pick(MIDDLE_NAMES, index) : null;
  const streetAddress = `${String(10 + Math.floor(random() * 890))} ${pick(place.streets, index)}`;
  const formatted = `${streetAddress}, ${place.city}, ${place.region} ${place.postalCode}, ${place.country}`;
  // Sign-ups spread over 2021–2024; the last login some time after, for most users.
  const signedUp = new Date(Date.UTC(2021, 0, 1) + Math.floor(random() * 4 * 365 * 86_400) * 1000);
  const hasLoggedIn = index % 10 !== 9;
  const lastLogin = hasLoggedIn
    ? new Date(signedUp.getTime() + Math.floor(random() * 300 * 86_400) * 1000)
    : null;
  const updatedAt = lastLogin ?? signedUp;
  const birthYear = 1960 + Math.floor(random() * 45);
  const birthMonth = 1 + Math.floor(random() * 12);
  const birthDay = 1 + Math.floor(random() * 28);
  return {
    username,
    email: `${username}@example.com`,
    emailVerified: index % 7 !== 6,
    phone: `+1555010${String(index + 1).padStart(4, '0')}`,
    phoneVerified: index % 3 === 0,
    nickname: givenName,
    photo: `https://avatars.example.com/${username}.png`,
    name: middleName === null ? `${givenName} ${familyName}` : `${givenName} ${middleName} ${familyName}`,
    givenName,
    familyName,
    middleName,
    preferredUsername: username,
    profile: index % 5 === 0 ? `https://social.example.com/@${username}` : null,
    website: index % 6 === 0 ? `https://${username}.example.org` : null,
    gender,
    birthdate: `${String(birthYear)}-${String(birthMonth).padStart(2, '0')}-${String(birthDay).padStart(2, '0')}`,
    zoneinfo: place.zoneinfo,
    locale: place.locale,
    address: `${streetAddress}, ${place.city}`,
    formatted,
    streetAddress,
    locality: place.city,
    region: place.region,
    postalCode: place.postalCode,
    city: place.city,
    province: place.region,
    country: place.country,
    company: pick(COMPANIES, index * 3),
    blocked: username === BLOCKED_USERNAME,
    loginsCount: hasLoggedIn ? 1 + Math.floor(random() * 250) : 0,
    lastLogin: lastLogin?.toISOString() ?? null,
    lastIP: hasLoggedIn ? `198.51.100.${String(1 + index)}` : null,
    signedUp: signedUp.toISOString(),
    createdAt: signedUp.toISOString(),
    updatedAt: updatedAt.toISOString(),
  };
}

function main(): void {
  if (GIVEN_NAMES.length !== USER_COUNT) throw new Error(`need ${String(USER_COUNT)} given names`);
  const random = seededRandom(20_240_101);
  const users: SampleUser[] = [];
  for (let index = 0; index < USER_COUNT; index += 1) {
    const profile = buildProfile(index, random);
    const passwordHash = bcrypt.hashSync(samplePassword(profile.username), BCRYPT_COST);
    users.push({ ...profile, passwordHash });
  }
  const source = [
    '// Generated by src/sample-db/generate-sample-users.ts — do not edit by hand.',
    "import type { SampleUser } from './sample-user.js';",
    '',
    `export const SAMPLE_USERS: readonly SampleUser[] = ${JSON.stringify(users, null, 2)};`,
    '',
  ].join('\n');
  writeFileSync(OUTPUT, source);
  console.log(`wrote ${String(users.length)} users to ${OUTPUT}`);
}

main();
