// s3rver's error XML as S3 writes it: s3rver escapes names with HTML's named entities (&uuml;), which no XML
// parser reads.
import he from 'he';

/** XML's own five entities stay; every other named (HTML) entity becomes its character. */
export function xmlEntitiesOnly(xml: string): string {
  return xml.replace(/&([a-zA-Z][a-zA-Z0-9]*);/g, (entity, name: string) =>
    ['amp', 'lt', 'gt', 'quot', 'apos'].includes(name) ? entity : he.decode(entity),
  );
}
