import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { HubSpotS3SyncStack } from './stack';

const app = new App();
const secret = app.node.tryGetContext('serviceKeySecret') ?? process.env.HUBSPOT_SERVICE_KEY_SECRET;
if (!secret) {
  throw new Error(
    'set the secret holding the service key: cdk deploy -c serviceKeySecret=<name or ARN> (the key itself never goes here)',
  );
}
new HubSpotS3SyncStack(app, app.node.tryGetContext('stackName') ?? 'HubSpotS3Sync', {
  serviceKeySecret: secret,
  existingBucketName: app.node.tryGetContext('bucketName'),
  prefix: app.node.tryGetContext('prefix'),
  timeZone: app.node.tryGetContext('timeZone'),
  hubspotApiUrl: app.node.tryGetContext('hubspotApiUrl'),
});
if (app.node.tryGetContext('nag') !== 'off')
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
