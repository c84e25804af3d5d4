/**
 * An in-memory Glue Data Catalog answering the four calls GlueCatalog makes, with Glue's error names. Glue cannot
 * run here; tests pair this fake with real reads of the S3 folders its tables point at.
 */
import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  GetTableCommand,
  UpdateTableCommand,
  type PartitionInput,
  type TableInput,
} from '@aws-sdk/client-glue';
import { serveAwsJson, type AwsJsonServer } from './aws-json-server';

/** The commands FakeGlue answers, by the operation name Glue's JSON protocol puts in X-Amz-Target. */
const OPERATIONS: Record<string, new (input: never) => object> = {
  GetTable: GetTableCommand,
  CreateTable: CreateTableCommand,
  UpdateTable: UpdateTableCommand,
  BatchCreatePartition: BatchCreatePartitionCommand,
};

class GlueFault extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export interface FakeGlueTable {
  input: TableInput;
  /** Times UpdateTable replaced it. */
  updates: number;
  /** Partitions by their values joined with '/'. */
  partitions: Map<string, PartitionInput>;
}

export class FakeGlue {
  readonly tables = new Map<string, FakeGlueTable>();
  /** Every call, by command name. */
  readonly calls: string[] = [];
  /** When set, every call fails with this error name (e.g. AccessDeniedException). */
  failWith?: string;

  constructor(readonly databases: readonly string[] = ['hubspot']) {}

  table(database: string, name: string): FakeGlueTable | undefined {
    return this.tables.get(`${database}.${name}`);
  }

  async send(command: unknown): Promise<object> {
    this.calls.push((command as object).constructor.name);
    if (this.failWith) throw new GlueFault(this.failWith, `User is not authorized to perform this Glue action`);
    if (command instanceof GetTableCommand) {
      const found = this.lookUp(command.input.DatabaseName, command.input.Name);
      return { Table: found.input };
    }
    if (command instanceof CreateTableCommand) {
      const key = this.key(command.input.DatabaseName, command.input.TableInput?.Name);
      if (this.tables.has(key)) throw new GlueFault('AlreadyExistsException', `Table ${key} already exists.`);
      this.tables.set(key, { input: command.input.TableInput as TableInput, updates: 0, partitions: new Map() });
      return {};
    }
    if (command instanceof UpdateTableCommand) {
      const found = this.lookUp(command.input.DatabaseName, command.input.TableInput?.Name);
      found.input = command.input.TableInput as TableInput;
      found.updates += 1;
      return {};
    }
    if (command instanceof BatchCreatePartitionCommand) {
      const found = this.lookUp(command.input.DatabaseName, command.input.TableName);
      const Errors = [];
      for (const partition of command.input.PartitionInputList ?? []) {
        const values = (partition.Values ?? []).join('/');
        if (found.partitions.has(values)) {
          Errors.push({ PartitionValues: partition.Values, ErrorDetail: { ErrorCode: 'AlreadyExistsException' } });
        } else found.partitions.set(values, partition);
      }
      return { Errors };
    }
    throw new Error(`FakeGlue does not answer ${(command as object).constructor.name}`);
  }

  private key(database: string | undefined, name: string | undefined): string {
    if (!database || !this.databases.includes(database)) {
      throw new GlueFault('EntityNotFoundException', `Database ${database} not found.`);
    }
    return `${database}.${name}`;
  }

  private lookUp(database: string | undefined, name: string | undefined): FakeGlueTable {
    const found = this.tables.get(this.key(database, name));
    if (!found) throw new GlueFault('EntityNotFoundException', `Table ${name} not found.`);
    return found;
  }

  /** Serves this catalog over Glue's wire protocol on loopback, for the real GlueClient (AWS_ENDPOINT_URL_GLUE). */
  listen(): Promise<AwsJsonServer> {
    return serveAwsJson((target, input) => {
      const operation = target.replace(/^AWSGlue\./, '');
      const Command = OPERATIONS[operation];
      if (!Command) throw new GlueFault('InvalidInputException', `Unknown ${operation}`);
      return this.send(new Command(input as never));
    });
  }
}
