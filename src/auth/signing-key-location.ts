import type { DataSource } from 'typeorm';
import { SecretBox } from '../common/crypto/secret-box.js';
import type { AppConfig } from '../config/app-config.js';
import { type KeyActivation, SigningKeyStore } from './signing-keys.js';

/** What can be done with a configuration's signing keys, wherever they live. */
export interface SigningKeyOperations {
  open(): Promise<SigningKeyStore>;
  /** Adds a key that signs from `activeFrom`; its kid. */
  rotate(activeFrom: Date): Promise<string>;
  /** Removes the keys `choose` picks (it may throw to refuse), decided under the store's lock; the removed keys. */
  retire(choose: (keys: KeyActivation[]) => string[]): Promise<KeyActivation[]>;
}

/**
 * Runs `work` with the signing keys of this configuration. The one place that decides where they live: in Entra mode
 * with MREG_ENCRYPTION_KEY in PostgreSQL (shared by every replica, private halves sealed), otherwise in the data
 * directory's file. `withDataSource` gives the database and is called only when the keys live there, so the CLI
 * opens no database for the file.
 */
export function withSigningKeys<T>(
  config: AppConfig,
  withDataSource: (use: (dataSource: DataSource) => Promise<T>) => Promise<T>,
  work: (keys: SigningKeyOperations) => Promise<T>,
): Promise<T> {
  const box = config.auth.mode === 'entra' ? SecretBox.fromConfig(config) : null;
  if (box) return withDataSource((dataSource) => work(inDatabase(dataSource, box)));
  return work(inFile(SigningKeyStore.fileFor(config.dataDir)));
}

function inDatabase(dataSource: DataSource, box: SecretBox): SigningKeyOperations {
  return {
    open: () => SigningKeyStore.openInDatabase(dataSource, box),
    rotate: (activeFrom) => SigningKeyStore.rotateInDatabase(dataSource, box, activeFrom),
    retire: (choose) => SigningKeyStore.retireInDatabase(dataSource, choose),
  };
}

function inFile(file: string): SigningKeyOperations {
  return {
    open: () => SigningKeyStore.open(file),
    rotate: (activeFrom) => SigningKeyStore.rotateFile(file, activeFrom),
    retire: (choose) => SigningKeyStore.retireFromFile(file, choose),
  };
}
