import { Match, type Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Catalog, type CatalogProps } from '../../cdk/constructs/catalog';
import { synthConstruct } from '../helpers/stack';

/** Catalog alone, granting publish to a stand-in role `Finalize`; and the environment it hands finalize. */
function synthCatalog(props: CatalogProps): { template: Template; catalog: Catalog } {
  let catalog: Catalog | undefined;
  const template = synthConstruct((stack) => {
    catalog = new Catalog(stack, 'Catalog', props);
    catalog.grantPublish(
      new iam.Role(stack, 'Finalize', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
    );
  });
  return { template, catalog: catalog! };
}

const glueArn = (resource: string) => ({
  'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:glue:eu-west-1:123456789012:${resource}`]],
});

describe('Construct: Catalog', () => {
  it('creates the hubspot Glue database, kept when the stack goes, and lets finalize register tables in it only', () => {
    const { template, catalog } = synthCatalog({ databaseName: 'hubspot' });
    template.hasResource('AWS::Glue::Database', { DeletionPolicy: 'Retain', UpdateReplacePolicy: 'Retain' });
    template.hasResourceProperties('AWS::Glue::Database', {
      CatalogId: '123456789012',
      DatabaseInput: Match.objectLike({ Name: 'hubspot' }),
    });
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: Match.stringLikeRegexp('^Finalize') }],
      PolicyDocument: {
        Statement: [
          {
            Effect: 'Allow',
            Action: ['glue:GetTable', 'glue:CreateTable', 'glue:UpdateTable', 'glue:BatchCreatePartition'],
            Resource: [glueArn('catalog'), glueArn('database/hubspot'), glueArn('table/hubspot/*')],
          },
        ],
      },
    });
    expect(catalog.environment).toEqual({ GLUE_DATABASE: 'hubspot' });
    expect(catalog.tablesArnAsNagSees).toBe('arn:<AWS::Partition>:glue:eu-west-1:123456789012:table/hubspot/*');
  });

  it('uses an existing database with a table prefix when told to', () => {
    const { template, catalog } = synthCatalog({ databaseName: 'lake', createDatabase: false, tablePrefix: 'hs_' });
    template.resourceCountIs('AWS::Glue::Database', 0);
    expect(catalog.environment).toEqual({ GLUE_DATABASE: 'lake', GLUE_TABLE_PREFIX: 'hs_' });
  });

  it.each([
    [{ databaseName: 'HubSpot-CRM' }, 'Glue database name "HubSpot-CRM" may hold only a-z, 0-9 and _'],
    [{ databaseName: 'hubspot', tablePrefix: 'hub spot' }, 'Glue table prefix "hub spot" may hold only a-z, 0-9 and _'],
  ])('refuses a database name or table prefix Glue would not keep as given: %j', (props, message) => {
    expect(() => synthCatalog(props)).toThrow(message);
  });
});
