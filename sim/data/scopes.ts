/**
 * The read scopes the simulator asks for beyond each object type's (object-catalog.ts), written from HubSpot's
 * documentation (../shared/HUBSPOT_API.md "Object types and read scopes") and not taken from lib/: the simulator is
 * the ground the engine's tests stand on, so a scope the engine has wrong must not be wrong here too.
 * test/unit/sim/object-catalog.test.ts checks the two agree.
 */

/** GET /crm/v3/schemas (custom object schemas). */
export const SCHEMAS_SCOPE = 'crm.schemas.custom.read';
/** Records of custom objects (HubSpot grants them per object; this is the umbrella read scope). */
export const CUSTOM_OBJECTS_SCOPE = 'crm.objects.custom.read';
/** GET /crm/v3/owners. */
export const OWNERS_SCOPE = 'crm.objects.owners.read';
