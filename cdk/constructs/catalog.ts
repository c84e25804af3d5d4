import { RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as glue from 'aws-cdk-lib/aws-glue';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { GLUE_NAME } from '../../lib/store/catalog';

export interface CatalogProps {
  /** Glue database the tables go in (a-z, 0-9, _). */
  readonly databaseName: string;
  /** Create the database (default), or use one that exists already. */
  readonly createDatabase?: boolean;
  /** Prefix of every table name; default none. */
  readonly tablePrefix?: string;
}

/** The calls finalize makes to register a dataset (lib/store/catalog.ts). */
export const CATALOG_ACTIONS = ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:BatchCreatePartition'];

/**
 * The Glue database finalize registers each published dataset in, so Athena queries the newest snapshot (and every
 * change set) without DDL. Exposes the environment finalize reads and grants it the table calls on this database only.
 */
export class Catalog extends Construct {
  readonly databaseName: string;
  /** GLUE_DATABASE and GLUE_TABLE_PREFIX for the finalize function. */
  readonly environment: Record<string, string>;
  /** The tables' wildcard ARN as cdk-nag prints it (pseudo parameters as `<AWS::...>`), to acknowledge it by id. */
  readonly tablesArnAsNagSees: string;
  private readonly resources: string[];

  constructor(scope: Construct, id: string, props: CatalogProps) {
    super(scope, id);
    if (!GLUE_NAME.test(props.databaseName)) {
      throw new Error(`Glue database name ${JSON.stringify(props.databaseName)} may hold only a-z, 0-9 and _`);
    }
    if (props.tablePrefix !== undefined && !GLUE_NAME.test(props.tablePrefix)) {
      throw new Error(`Glue table prefix ${JSON.stringify(props.tablePrefix)} may hold only a-z, 0-9 and _`);
    }
    this.databaseName = props.databaseName;
    if (props.createDatabase ?? true) {
      const database = new glue.CfnDatabase(this, 'Database', {
        catalogId: Stack.of(this).account,
        databaseInput: {
          name: props.databaseName,
          description: 'HubSpot CRM snapshots and change sets exported by hubspot-s3-sync',
        },
      });
      // Its tables are finalize's, not the stack's: deleting the stack must not drop what analysts query.
      database.applyRemovalPolicy(RemovalPolicy.RETAIN);
    }
    this.environment = {
      GLUE_DATABASE: props.databaseName,
      ...(props.tablePrefix ? { GLUE_TABLE_PREFIX: props.tablePrefix } : {}),
    };
    const stack = Stack.of(this);
    const arn = (resource: string, resourceName?: string) =>
      stack.formatArn({ service: 'glue', resource, resourceName });
    const shown = (value: string, pseudo: string) => (Token.isUnresolved(value) ? `<AWS::${pseudo}>` : value);
    this.tablesArnAsNagSees =
      `arn:<AWS::Partition>:glue:${shown(stack.region, 'Region')}:${shown(stack.account, 'AccountId')}:` +
      `table/${props.databaseName}/*`;
    this.resources = [arn('catalog'), arn('database', props.databaseName), arn('table', `${props.databaseName}/*`)];
  }

  /** Lets `grantee` create, read and update tables (and add partitions) in this database. */
  grantPublish(grantee: iam.IGrantable): void {
    iam.Grant.addToPrincipal({ grantee, actions: CATALOG_ACTIONS, resourceArns: this.resources });
  }
}
