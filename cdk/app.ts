import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { CatalogProps } from './constructs/catalog';
import { DEFAULT_CATALOG, HubSpotS3SyncStack, schedulesOf } from './stack';

const app = new App();
const secret = app.node.tryGetContext('serviceKeySecret') ?? process.env.HUBSPOT_SERVICE_KEY_SECRET;
if (!secret) {
  throw new Error(
    'set the secret holding the service key: cdk deploy -c serviceKeySecret=<name or ARN> (the key itself never goes here)',
  );
}
/** `-c glueDatabase=<name>|off`, `-c createGlueDatabase=false` (the database exists), `-c glueTablePrefix=<p>`. */
function catalogFromContext(): CatalogProps | false {
  const name = app.node.tryGetContext('glueDatabase') ?? DEFAULT_CATALOG.databaseName;
  if (name === 'off') return false;
  return {
    databaseName: name,
    createDatabase: String(app.node.tryGetContext('createGlueDatabase') ?? 'true') !== 'false',
    tablePrefix: app.node.tryGetContext('glueTablePrefix'),
  };
}
new HubSpotS3SyncStack(app, app.node.tryGetContext('stackName') ?? 'HubSpotS3Sync', {
  serviceKeySecret: secret,
  existingBucketName: app.node.tryGetContext('bucketName'),
  bucketKmsKeyArn: app.node.tryGetContext('bucketKmsKeyArn'),
  serviceKeyKmsKeyArn: app.node.tryGetContext('serviceKeyKmsKeyArn'),
  prefix: app.node.tryGetContext('prefix'),
  timeZone: app.node.tryGetContext('timeZone'),
  hubspotApiUrl: app.node.tryGetContext('hubspotApiUrl'),
  associations: app.node.tryGetContext('associations'),
  maxConcurrency: app.node.tryGetContext('maxConcurrency'),
  objectParallelism: app.node.tryGetContext('objectParallelism'),
  listArchivedEveryHours: app.node.tryGetContext('listArchivedEveryHours'),
  listArchivedAtMostEveryHours: app.node.tryGetContext('listArchivedAtMostEveryHours'),
  apiVersion: app.node.tryGetContext('apiVersion'),
  excludeProperties: app.node.tryGetContext('excludeProperties'),
  hashProperties: app.node.tryGetContext('hashProperties'),
  hashKeySecret: app.node.tryGetContext('hashKeySecret'),
  catalog: catalogFromContext(),
  schedules: schedulesOf({
    full: app.node.tryGetContext('fullSchedule'),
    compact: app.node.tryGetContext('compactSchedule'),
    incremental: app.node.tryGetContext('incrementalSchedule'),
  }),
});
if (app.node.tryGetContext('nag') !== 'off')
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
