/**
 * Publication of each dataset as an AWS Glue table, so Athena (and Spark or Trino on the Glue catalog) can query a
 * run without any DDL. Called by finalize after `_latest` moved, so a table never points at a run that did not finish:
 * - snapshot tables (snapshots, associations, property metadata): one unpartitioned table per dataset whose location
 *   is the newest published run folder; each publish moves it in one UpdateTable, like `_latest`.
 * - change sets: one table per object partitioned by `change_date` and `run_id`; each run adds its partition.
 */
import {
  BatchCreatePartitionCommand,
  CreateTableCommand,
  GetTableCommand,
  UpdateTableCommand,
  type Column as GlueColumn,
  type GlueClient,
  type StorageDescriptor,
  type TableInput,
} from '@aws-sdk/client-glue';
import { awsErrorName, CatalogError } from './errors';
import { datasetName, LAYOUT, runPrefix, TABLE_LAYOUT, tableFolder, type TableRef } from './layout';
import { parseS3Location } from './location';
import type { ColumnType } from '../parquet/column-types';

export { CatalogError } from './errors';

/** What a catalog needs to know of one published dataset. */
export interface CatalogPublication {
  table: TableRef;
  /** `hash` marks a column of keyed hashes (manifest.ts): its Glue column says so in its comment. */
  columns: readonly { name: string; type: string; hash?: string }[];
  snapshotDate: string;
  runId: string;
  manifestUrl: string;
}

/** Where finalize registers published datasets; returns the qualified table name. */
export interface TableCatalog {
  publish(publication: CatalogPublication): Promise<string>;
}

/** Hive/Glue type of each column type the writers produce (lib/schema/type-map.ts and the side tables). */
export const GLUE_TYPES = {
  VARCHAR: 'string',
  DOUBLE: 'double',
  BOOLEAN: 'boolean',
  DATE: 'date',
  TIMESTAMP: 'timestamp',
  INTEGER: 'int',
  BIGINT: 'bigint',
  'VARCHAR[]': 'array<string>',
  'MAP(VARCHAR, VARCHAR)': 'map<string,string>',
} as const satisfies Record<ColumnType, string>;

/** Glue keeps names in lower case; database and table names here hold letters, digits and `_` only. */
export const GLUE_NAME = /^[a-z0-9_]+$/;

/**
 * The Glue table of a dataset: its dataset name in lower case with `.` and `-` as `_`, after the optional prefix.
 * @example glueTableName({ kind: 'changes', object: 'contacts' }, 'hubspot_') // 'hubspot_contacts_changes'
 */
export function glueTableName(table: TableRef, prefix = ''): string {
  const name = `${prefix}${datasetName(table)}`.toLowerCase().replace(/[.-]/g, '_');
  if (!GLUE_NAME.test(name) || name.length > 255) {
    throw new CatalogError(`Bad Glue table name ${JSON.stringify(name)}: the table prefix may hold a-z, 0-9 and _`);
  }
  return name;
}

/**
 * Glue columns of a dataset (lower-case names: the writers keep names apart case-insensitively).
 * @example glueColumns([{ name: 'hs_tags', type: 'VARCHAR[]' }]) // [{ Name: 'hs_tags', Type: 'array<string>' }]
 */
export function glueColumns(columns: CatalogPublication['columns']): GlueColumn[] {
  return columns.map(({ name, type, hash }) => {
    // Types come back from stored manifests as text: one this release does not know has no Glue type.
    const glueType = (GLUE_TYPES as Readonly<Record<string, string | undefined>>)[type];
    if (!glueType) throw new CatalogError(`Column ${name} has type ${type}, which has no Glue type`);
    return { Name: name.toLowerCase(), Type: glueType, ...(hash ? { Comment: hashedColumnComment(hash) } : {}) };
  });
}

/** What a hashed column's Glue comment says: how its values were made, so nobody takes them for the values. */
export const hashedColumnComment = (hash: string): string =>
  `keyed hash (${hash}, hex) of the normalized value, not the value: see the README, Sensitive properties`;

const PARQUET_FORMAT = {
  InputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat',
  OutputFormat: 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat',
  SerdeInfo: { SerializationLibrary: 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe' },
} as const;

/** Partition keys of change-set tables: the layout's folders under the table. */
const CHANGE_PARTITION_KEYS: GlueColumn[] = [
  { Name: TABLE_LAYOUT.changes.datePartition, Type: 'string' },
  { Name: LAYOUT.runPartition, Type: 'string' },
];

const storage = (columns: GlueColumn[], location: string): StorageDescriptor => ({
  Columns: columns,
  Location: location,
  ...PARQUET_FORMAT,
});

/** Table parameter naming the dataset a table holds: how a table this project made is told from any other. */
const DATASET_PARAMETER = 'hubspot_s3_sync.dataset';

export interface GlueCatalogOptions {
  /** Ready Glue client (tests pass a fake through the same door). */
  client: Pick<GlueClient, 'send'>;
  /** Glue database the tables live in; it must exist (the CDK stack creates it). */
  database: string;
  /** Prefix of every table name, e.g. `hubspot_`; default none. */
  tablePrefix?: string;
  /** The export's s3://bucket/prefix: tables point at folders under it. */
  location: string;
}

/**
 * A Glue database as the catalog. Needs glue:GetTable, CreateTable, UpdateTable and BatchCreatePartition.
 * @example
 * const catalog = new GlueCatalog({ client: new GlueClient({}), database: 'hubspot', location: 's3://lake/hubspot' });
 * await catalog.publish(publication); // 'hubspot.contacts'
 */
export class GlueCatalog implements TableCatalog {
  /** `s3://bucket/prefix/`: folder URLs are this plus a layout prefix. */
  private readonly root: string;

  constructor(private readonly options: GlueCatalogOptions) {
    glueTableName({ kind: 'properties' }, options.tablePrefix);
    const { bucket, prefix } = parseS3Location(options.location);
    this.root = `s3://${bucket}/${prefix ? `${prefix}/` : ''}`;
  }

  async publish(publication: CatalogPublication): Promise<string> {
    const { table, snapshotDate, runId } = publication;
    const name = glueTableName(table, this.options.tablePrefix);
    const columns = glueColumns(publication.columns);
    const runFolder = `${this.root}${runPrefix(table, snapshotDate, runId)}`;
    const parameters = {
      classification: 'parquet',
      [DATASET_PARAMETER]: datasetName(table),
      'hubspot_s3_sync.run_id': runId,
      'hubspot_s3_sync.snapshot_date': snapshotDate,
      'hubspot_s3_sync.manifest': publication.manifestUrl,
    };
    try {
      if (table.kind !== 'changes') {
        await this.upsertTable({ Name: name, Parameters: parameters, StorageDescriptor: storage(columns, runFolder) });
      } else {
        const clash = columns.find((c) => CHANGE_PARTITION_KEYS.some((k) => k.Name === c.Name));
        if (clash) throw new CatalogError(`column ${clash.Name} has the name of a partition key of change tables`);
        await this.upsertTable({
          Name: name,
          Parameters: parameters,
          PartitionKeys: CHANGE_PARTITION_KEYS,
          StorageDescriptor: storage(columns, `${this.root}${tableFolder(table)}/`),
        });
        await this.addPartition(name, [snapshotDate, runId], storage(columns, runFolder));
      }
    } catch (error) {
      throw new CatalogError(
        `Glue table ${this.options.database}.${name} not updated: ${(error as Error).message ?? String(error)}`,
        { cause: error },
      );
    }
    return `${this.options.database}.${name}`;
  }

  private async upsertTable(input: TableInput): Promise<void> {
    const DatabaseName = this.options.database;
    const full: TableInput = {
      ...input,
      TableType: 'EXTERNAL_TABLE',
      Parameters: { EXTERNAL: 'TRUE', ...input.Parameters },
    };
    let exists = true;
    try {
      const found = await this.options.client.send(new GetTableCommand({ DatabaseName, Name: input.Name }));
      // Never repoint a table this project did not make, or one another dataset's name maps to as well.
      const owner = found.Table?.Parameters?.[DATASET_PARAMETER];
      const ours = input.Parameters?.[DATASET_PARAMETER];
      if (owner !== ours) {
        throw new CatalogError(
          owner === undefined
            ? `a table of that name exists and was not made by hubspot-s3-sync; drop it or set a table prefix`
            : `the table holds dataset ${owner}, not ${ours}; set a table prefix or rename one of them`,
        );
      }
    } catch (error) {
      if (awsErrorName(error) !== 'EntityNotFoundException') throw error;
      exists = false;
    }
    if (!exists) {
      try {
        await this.options.client.send(new CreateTableCommand({ DatabaseName, TableInput: full }));
        return;
      } catch (error) {
        // Another finalize created it in between: update it instead.
        if (awsErrorName(error) !== 'AlreadyExistsException') throw error;
      }
    }
    // Versions of a table that moves every run are not worth keeping: the manifests are the history.
    await this.options.client.send(new UpdateTableCommand({ DatabaseName, TableInput: full, SkipArchive: true }));
  }

  private async addPartition(table: string, values: string[], descriptor: StorageDescriptor): Promise<void> {
    const out = await this.options.client.send(
      new BatchCreatePartitionCommand({
        DatabaseName: this.options.database,
        TableName: table,
        PartitionInputList: [{ Values: values, StorageDescriptor: descriptor }],
      }),
    );
    // A retried finalize finds its partition there already.
    const errors = (out.Errors ?? []).filter((e) => e.ErrorDetail?.ErrorCode !== 'AlreadyExistsException');
    if (errors.length) {
      const detail = errors[0].ErrorDetail;
      throw new CatalogError(
        `partition ${values.join('/')}: ${detail?.ErrorCode ?? 'error'} ${detail?.ErrorMessage ?? ''}`.trim(),
      );
    }
  }
}
