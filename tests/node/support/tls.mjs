// SPDX-License-Identifier: MIT
// Copyright (c) 2026 The kars authors
//
// A throwaway self-signed certificate for the TLS servers the tests stand up, made with the
// openssl CLI. Returns the PEM key and certificate, and the certificate's path for clients
// such as curl --cacert.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

export function selfSignedCert(dir, commonName, subjectAltNames) {
  const keyPath = path.join(dir, 'key.pem');
  const certPath = path.join(dir, 'cert.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1',
    '-subj', `/CN=${commonName}`, '-addext', `subjectAltName=${subjectAltNames.join(',')}`,
    '-keyout', keyPath, '-out', certPath], { stdio: 'ignore' });
  return { key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath), certPath };
}
