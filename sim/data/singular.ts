/** The singular of an object type name for messages: companies -> company, line_items -> line_item. */
export function singularOf(typeName: string): string {
  return typeName.endsWith('ies') ? `${typeName.slice(0, -3)}y` : typeName.replace(/s$/, '');
}
