/**
 * Custom database scripts in Auth0's style for a small users table on MariaDB, through
 * `require('mysql')` (callback API: createConnection, query(sql, values, cb), end) and bcrypt's
 * callback API, reading the connection from `configuration.DB_*`. Written for these tests.
 */
export const MYSQL_SCHEMA = `
  CREATE TABLE accounts (
    id INT AUTO_INCREMENT PRIMARY KEY,
    email VARCHAR(190) NOT NULL UNIQUE,
    username VARCHAR(190) UNIQUE,
    display_name VARCHAR(190),
    pass_hash VARCHAR(100) NOT NULL,
    verified TINYINT(1) NOT NULL DEFAULT 0,
    disabled TINYINT(1) NOT NULL DEFAULT 0
  )`;

const CONNECT = `function connect() {
    const mysql = require('mysql');
    return mysql.createConnection({
      host: configuration.DB_HOST,
      port: Number(configuration.DB_PORT),
      user: configuration.DB_USERNAME,
      password: configuration.DB_PASSWORD,
      database: configuration.DB_DATABASE,
    });
  }`;

const PROFILE = `function toProfile(row) {
    return {
      user_id: String(row.id),
      email: row.email,
      username: row.username,
      name: row.display_name,
      email_verified: row.verified === 1,
      picture: 'https://pictures.example.org/' + row.id + '.png',
      user_metadata: { given_name: 'Given ' + row.username },
    };
  }`;

export const MYSQL_AUTH0_SCRIPTS = {
  login: `function login(email, password, callback) {
  const bcrypt = require('bcrypt');
  ${CONNECT}
  ${PROFILE}
  const connection = connect();
  connection.query('SELECT * FROM accounts WHERE email = ? OR username = ?', [email, email], function (err, rows) {
    connection.end();
    if (err) return callback(err);
    if (rows.length === 0) return callback(new WrongUsernameOrPasswordError(email));
    const row = rows[0];
    if (row.disabled) return callback(new UnauthorizedError('this account is disabled'));
    bcrypt.compare(password, row.pass_hash, function (err, same) {
      if (err || !same) return callback(err || new WrongUsernameOrPasswordError(email));
      callback(null, toProfile(row));
    });
  });
}`,
  get_user: `function getByEmail(email, callback) {
  ${CONNECT}
  ${PROFILE}
  const connection = connect();
  connection.query('SELECT * FROM accounts WHERE email = ? OR username = ?', [email, email], function (err, rows) {
    connection.end();
    if (err) return callback(err);
    if (rows.length === 0) return callback(null);
    callback(null, toProfile(rows[0]));
  });
}`,
  create: `function create(user, callback) {
  const bcrypt = require('bcrypt');
  ${CONNECT}
  bcrypt.hash(user.password, 4, function (err, hash) {
    if (err) return callback(err);
    const connection = connect();
    connection.query('INSERT INTO accounts SET ?', { email: user.email, username: user.username || null, display_name: user.name || null, pass_hash: hash }, function (err) {
      connection.end();
      if (err && err.code === 'ER_DUP_ENTRY') return callback(new ValidationError('user_exists', 'taken'));
      callback(err || null);
    });
  });
}`,
  verify: `function verify(email, callback) {
  ${CONNECT}
  const connection = connect();
  connection.query('UPDATE accounts SET verified = 1 WHERE email = ?', [email], function (err, result) {
    connection.end();
    if (err) return callback(err);
    callback(null, result.affectedRows > 0);
  });
}`,
  change_password: `function changePassword(email, newPassword, callback) {
  const bcrypt = require('bcrypt');
  ${CONNECT}
  bcrypt.hash(newPassword, 4, function (err, hash) {
    if (err) return callback(err);
    const connection = connect();
    connection.query('UPDATE accounts SET pass_hash = ? WHERE email = ?', [hash, email], function (err, result) {
      connection.end();
      if (err) return callback(err);
      callback(null, result.affectedRows > 0);
    });
  });
}`,
  delete: `function remove(id, callback) {
  ${CONNECT}
  const connection = connect();
  connection.query('DELETE FROM accounts WHERE id = ?', [Number(id)], function (err) {
    connection.end();
    callback(err || null);
  });
}`,
  change_email: `function changeEmail(email, newEmail, verified, callback) {
  ${CONNECT}
  const connection = connect();
  connection.query('UPDATE accounts SET email = ?, verified = ? WHERE email = ?', [newEmail, verified ? 1 : 0, email], function (err, result) {
    connection.end();
    if (err) return callback(err);
    callback(null, result.affectedRows > 0);
  });
}`,
};

export const MYSQL_GET_USER_BY_ID = `async function getUser(query, context) {
  const mysql = require('mysql2/promise');
  const connection = await mysql.createConnection({ host: env.DB_HOST, port: Number(env.DB_PORT), user: env.DB_USERNAME, password: env.DB_PASSWORD, database: env.DB_DATABASE });
  try {
    const [rows] = await connection.query('SELECT * FROM accounts WHERE id = ? OR email = ?', [Number(query.id ?? 0), query.email ?? '']);
    const row = rows[0];
    return row ? { id: String(row.id), email: row.email, username: row.username, name: row.display_name, emailVerified: row.verified === 1, blocked: row.disabled === 1 } : null;
  } finally {
    await connection.end();
  }
}`;
