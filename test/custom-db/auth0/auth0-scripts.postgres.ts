/**
 * Custom database scripts in Auth0's style (callbacks, Auth0's globals and error classes,
 * `require` as Auth0 scripts write it) for a small users table on PostgreSQL. Written for
 * these tests, not copied from Auth0's templates. Between them they use the legacy
 * `pg.connect(conString, (err, client, done) => …)`, `new pg.Client`, bcrypt's callback API,
 * and both an async function's returned promise and the callback.
 */
export const POSTGRES_SCHEMA = `
  CREATE TABLE accounts (
    id serial PRIMARY KEY,
    email text UNIQUE NOT NULL,
    username text UNIQUE,
    display_name text,
    pass_hash text NOT NULL,
    verified boolean NOT NULL DEFAULT false,
    disabled boolean NOT NULL DEFAULT false
  )`;

const PROFILE = `function toProfile(row) {
    return {
      user_id: 'auth0|' + row.id,
      email: row.email,
      username: row.username,
      name: row.display_name,
      email_verified: row.verified,
      picture: 'https://pictures.example.org/' + row.id + '.png',
      user_metadata: { given_name: 'Given ' + row.username, favourite_colour: 'teal' },
      app_metadata: { plan: 'gold' },
    };
  }`;

export const POSTGRES_AUTH0_SCRIPTS = {
  login: `function login(email, password, callback) {
  const bcrypt = require('bcrypt');
  const pg = require('pg');
  ${PROFILE}
  pg.connect(configuration.DB_CONNECTION_URI, function (err, client, done) {
    if (err) return callback(err);
    client.query('SELECT * FROM accounts WHERE email = $1 OR username = $1', [email], function (err, result) {
      done();
      if (err) return callback(err);
      const row = result.rows[0];
      if (!row) return callback(new WrongUsernameOrPasswordError(email));
      if (row.disabled) return callback(new UnauthorizedError('this account is disabled'));
      bcrypt.compare(password, row.pass_hash, function (err, same) {
        if (err) return callback(err);
        if (!same) return callback(new WrongUsernameOrPasswordError(email, 'bad password'));
        console.log('signed in', email, 'with', password);
        callback(null, toProfile(row));
      });
    });
  });
}`,
  get_user: `async function getByEmail(email) {
  const { Client } = require('pg@8.11.0');
  ${PROFILE}
  const client = new Client({ connectionString: configuration.DB_CONNECTION_URI });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT * FROM accounts WHERE email = $1 OR username = $1', [email]);
    return rows.length === 0 ? null : toProfile(rows[0]);
  } finally {
    await client.end();
  }
}`,
  create: `function create(user, callback) {
  const bcrypt = require('bcrypt');
  const pg = require('pg');
  bcrypt.hash(user.password, 4, function (err, hash) {
    if (err) return callback(err);
    pg.connect(configuration.DB_CONNECTION_URI, function (err, client, done) {
      if (err) return callback(err);
      client.query(
        'INSERT INTO accounts (email, username, display_name, pass_hash) VALUES ($1, $2, $3, $4)',
        [user.email, user.username || null, user.name || null, hash],
        function (err) {
          done();
          if (err && err.code === '23505') return callback(new ValidationError('user_exists', 'someone has this email or username'));
          if (err) return callback(err);
          callback(null);
        });
    });
  });
}`,
  verify: `function verify(email, callback) {
  const pg = require('pg');
  pg.connect(configuration.DB_CONNECTION_URI, function (err, client, done) {
    if (err) return callback(err);
    client.query('UPDATE accounts SET verified = true WHERE email = $1', [email], function (err, result) {
      done();
      if (err) return callback(err);
      callback(null, result.rowCount > 0);
    });
  });
}`,
  change_password: `function changePassword(email, newPassword, callback) {
  const bcrypt = require('bcrypt');
  const pg = require('pg');
  bcrypt.hash(newPassword, 4, function (err, hash) {
    if (err) return callback(err);
    pg.connect(configuration.DB_CONNECTION_URI, function (err, client, done) {
      if (err) return callback(err);
      client.query('UPDATE accounts SET pass_hash = $1 WHERE email = $2', [hash, email], function (err, result) {
        done();
        if (err) return callback(err);
        callback(null, result.rowCount > 0);
      });
    });
  });
}`,
  delete: `function remove(id, callback) {
  const pg = require('pg');
  pg.connect(configuration.DB_CONNECTION_URI, function (err, client, done) {
    if (err) return callback(err);
    client.query('DELETE FROM accounts WHERE id = $1', [Number(id)], function (err) {
      done();
      callback(err || null);
    });
  });
}`,
  change_email: `async function changeEmail(email, newEmail, verified, callback) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: configuration.DB_CONNECTION_URI });
  await client.connect();
  try {
    const result = await client.query('UPDATE accounts SET email = $1, verified = $2 WHERE email = $3', [newEmail, verified, email]);
    callback(null, result.rowCount > 0);
  } finally {
    await client.end();
  }
}`,
};

/** The Gatehouse-style companion a custom user store needs to find users by id. */
export const POSTGRES_GET_USER_BY_ID = `async function getUser(query, context) {
  const { Client } = require('pg');
  const client = new Client({ connectionString: env.DB_CONNECTION_URI });
  await client.connect();
  try {
    const { rows } = await client.query('SELECT * FROM accounts WHERE id::text = $1 OR email = $2', [query.id ?? '', query.email ?? '']);
    const row = rows[0];
    return row ? { id: String(row.id), email: row.email, username: row.username, name: row.display_name, emailVerified: row.verified, blocked: row.disabled } : null;
  } finally {
    await client.end();
  }
}`;
