/**
 * Test helpers: read what CloudFormation would see.
 */

/**
 * Turns an `Fn::Join` of JSON text back into an object, writing each intrinsic part as a
 * readable placeholder: `${Ref:Id}`, `${GetAtt:Id.Attr}`, `${Issuer:Id}` (the issuer that
 * `Fn::Select`/`Fn::Split` takes from a URL or ARN).
 */
export function parseJoinedJson(value: any): any {
  if (typeof value !== 'object' || !('Fn::Join' in value)) {
    throw new Error(`expected an Fn::Join, got ${JSON.stringify(value)}`);
  }
  const [separator, parts] = value['Fn::Join'];
  return JSON.parse(parts.map(placeholder).join(separator));
}

function placeholder(part: any): string {
  if (typeof part === 'string') {
    return part;
  }
  if ('Ref' in part) {
    return `\${Ref:${part.Ref}}`;
  }
  if ('Fn::GetAtt' in part) {
    return `\${GetAtt:${part['Fn::GetAtt'].join('.')}}`;
  }
  if ('Fn::Select' in part) {
    const [, split] = part['Fn::Select'];
    const [, source] = split['Fn::Split'];
    return `\${Issuer:${placeholder(source).replace(/^\$\{|\}$/g, '')}}`;
  }
  throw new Error(`unexpected intrinsic ${JSON.stringify(part)}`);
}

/** The number of characters of a JSON document as IAM counts them: no white space. */
export function iamSize(document: any): number {
  return JSON.stringify(document).replace(/\s/g, '').length;
}
