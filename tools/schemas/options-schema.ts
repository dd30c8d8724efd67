import { InterfaceDeclaration, Node, PropertySignature, SourceFile, SyntaxKind, TypeElementTypes, TypeNode, TypeReferenceNode } from 'ts-morph';
import type { OptionsSchema, PropertySchema } from './json-schema';
import { readDocComment } from './jsdoc';

/** A schema.d.ts that cannot be turned into a schema.json; the message names the file and the option. */
export class SchemaSourceError extends Error {
  override name = 'SchemaSourceError';
}

const ROOT_TAGS = ['title', 'schemaRoot'];
const PROPERTY_TAGS = ['default', 'minimum', 'maximum', 'integer', 'pattern', 'format', 'prompt', 'argv', 'hidden', 'visible', 'alias', 'deprecated'];
const SUPPORTED_TYPES =
  'string, number, boolean, string-literal unions, arrays, Record<string, T>, interfaces, ' +
  'and unions of interfaces discriminated by a string-literal `kind`';

/**
 * Turns the options interface of one schema.d.ts into the schema.json Nx validates options with.
 * `displayPath` is how errors name the file.
 */
export function buildOptionsSchema(sourceFile: SourceFile, displayPath: string): OptionsSchema {
  return new OptionsSchemaBuilder(sourceFile, displayPath).build();
}

type Where = readonly string[];

class OptionsSchemaBuilder {
  /** Interfaces being inlined right now, to refuse recursive types instead of looping. */
  private readonly inlining: InterfaceDeclaration[] = [];

  constructor(
    private readonly sourceFile: SourceFile,
    private readonly displayPath: string,
  ) {}

  build(): OptionsSchema {
    const root = this.findOptionsInterface();
    const where = [root.getName()];
    const doc = readDocComment(root, ROOT_TAGS, (problem) => this.fail(where, problem));
    const title = doc.tags.get('title');
    if (title === '') this.fail(where, '@title needs a value');
    const object = this.interfaceSchema(root, where);
    return {
      $schema: 'https://json-schema.org/draft-07/schema',
      version: 2,
      title: title ?? root.getName(),
      description: doc.description,
      type: 'object',
      properties: object.properties ?? {},
      required: object.required ?? [],
      additionalProperties: false,
    };
  }

  private findOptionsInterface(): InterfaceDeclaration {
    const interfaces = this.sourceFile.getInterfaces();
    const marked = interfaces.filter((i) => i.getJsDocs().some((d) => /^@schemaRoot\b/m.test(d.getInnerText())));
    const candidates =
      // The `export` keyword as written: in a .d.ts every top-level declaration counts as exported.
      marked.length > 0 ? marked : interfaces.filter((i) => i.hasExportKeyword() && /(Options|Schema)$/.test(i.getName()));
    if (candidates.length === 1) return candidates[0];
    if (candidates.length === 0) {
      this.fail([], 'no options interface: export one interface whose name ends with `Options` or `Schema`, or mark it /** @schemaRoot */');
    }
    const names = candidates.map((i) => i.getName()).join(', ');
    return this.fail([], `${candidates.length} candidate options interfaces (${names}): mark the one to generate with /** @schemaRoot */`);
  }

  private interfaceSchema(declaration: InterfaceDeclaration, where: Where): PropertySchema {
    if (declaration.getTypeParameters().length > 0) {
      this.fail(where, `generic interface ${declaration.getName()} is not supported`);
    }
    if (this.inlining.includes(declaration)) {
      this.fail(where, `${declaration.getName()} contains itself; recursive types cannot be inlined into a schema`);
    }
    this.inlining.push(declaration);
    try {
      return this.objectSchema(this.interfaceProperties(declaration, where), where);
    } finally {
      this.inlining.pop();
    }
  }

  /** Own and inherited properties, base interfaces first, as a reader of the declarations sees them. */
  private interfaceProperties(declaration: InterfaceDeclaration, where: Where): Map<string, PropertySignature> {
    const properties = new Map<string, PropertySignature>();
    for (const heritage of declaration.getExtends()) {
      if (heritage.getTypeArguments().length > 0) this.fail(where, `generic base \`${heritage.getText()}\` is not supported`);
      const bases = this.resolveDeclarations(heritage.getExpression(), where);
      const base = bases[0];
      if (bases.length !== 1 || !Node.isInterfaceDeclaration(base) || this.isDefaultLibrary(base)) {
        return this.fail(where, `${declaration.getName()} extends \`${heritage.getText()}\`, which is not a single interface of this workspace`);
      }
      for (const [name, property] of this.interfaceProperties(base, where)) properties.set(name, property);
    }
    this.collectProperties(declaration.getMembers(), where, properties);
    return properties;
  }

  private collectProperties(members: TypeElementTypes[], where: Where, into: Map<string, PropertySignature>): void {
    for (const member of members) {
      if (!Node.isPropertySignature(member)) {
        this.fail(where, `only plain properties can be options, not \`${member.getText()}\``);
      }
      const nameNode = member.getNameNode();
      const name = Node.isIdentifier(nameNode)
        ? nameNode.getText()
        : Node.isStringLiteral(nameNode)
          ? nameNode.getLiteralValue()
          : this.fail(where, `property name \`${nameNode.getText()}\` must be an identifier or a string`);
      into.set(name, member);
    }
  }

  private objectSchema(properties: Map<string, PropertySignature>, where: Where): PropertySchema {
    const schema: PropertySchema = { type: 'object', properties: {}, required: [], additionalProperties: false };
    for (const [name, property] of properties) {
      schema.properties![name] = this.propertySchema(property, [...where, name]);
      if (!property.hasQuestionToken()) schema.required!.push(name);
    }
    return schema;
  }

  private propertySchema(property: PropertySignature, where: Where): PropertySchema {
    const fail = (problem: string): never => this.fail(where, problem);
    const doc = readDocComment(property, PROPERTY_TAGS, fail);
    const typeNode = property.getTypeNode() ?? fail('has no type annotation');
    const { description: typeDescription, ...shape } = this.typeSchema(typeNode, where);
    const schema: PropertySchema = { description: doc.description ?? typeDescription, ...shape };
    const tag = (name: string): string | undefined => {
      const value = doc.tags.get(name);
      if (value === '' && !['integer', 'hidden', 'deprecated'].includes(name)) fail(`@${name} needs a value`);
      return value;
    };
    const requireType = (name: string, types: PropertySchema['type'][]) => {
      if (!types.includes(schema.type)) fail(`@${name} applies to ${types.join('/')} options, not \`${typeNode.getText()}\``);
    };

    if (tag('integer') !== undefined) {
      requireType('integer', ['number']);
      schema.type = 'integer';
    }
    const pattern = tag('pattern');
    if (pattern !== undefined) {
      requireType('pattern', ['string']);
      try {
        new RegExp(pattern);
      } catch (error) {
        fail(`@pattern is not a valid regular expression: ${(error as Error).message}`);
      }
      schema.pattern = pattern;
    }
    const format = tag('format');
    if (format !== undefined) {
      requireType('format', ['string']);
      if (!/^\S+$/.test(format)) fail(`@format takes one word (e.g. \`path\`), got \`${format}\``);
      schema.format = format;
    }
    for (const bound of ['minimum', 'maximum'] as const) {
      const text = tag(bound);
      if (text === undefined) continue;
      requireType(bound, ['number', 'integer']);
      const value = Number(text);
      if (!Number.isFinite(value)) fail(`@${bound} must be a number, got \`${text}\``);
      schema[bound] = value;
    }
    const defaultText = tag('default');
    if (defaultText !== undefined) {
      let value: unknown;
      try {
        value = JSON.parse(defaultText);
      } catch {
        fail(`@default must be JSON (strings in double quotes), got \`${defaultText}\``);
      }
      const mismatch = defaultMismatch(value, schema);
      if (mismatch) fail(`@default ${defaultText} ${mismatch}`);
      schema.default = value;
    }
    const alias = tag('alias');
    if (alias !== undefined) {
      if (!/^[\w-]+$/.test(alias)) fail(`@alias takes one option name, got \`${alias}\``);
      schema.alias = alias;
    }
    const argv = tag('argv');
    if (argv !== undefined) {
      if (!/^\d+$/.test(argv)) fail(`@argv takes a positional index (0, 1, …), got \`${argv}\``);
      schema.$default = { $source: 'argv', index: Number(argv) };
    }
    const prompt = tag('prompt');
    if (prompt !== undefined) schema['x-prompt'] = prompt;
    if (tag('hidden') !== undefined) schema['x-priority'] = 'internal';
    const visible = tag('visible');
    if (visible !== undefined) {
      if (visible !== 'true' && visible !== 'false') fail(`@visible takes true or false, got \`${visible}\``);
      schema.visible = visible === 'true';
    }
    const deprecated = tag('deprecated');
    if (deprecated !== undefined) schema['x-deprecated'] = deprecated === '' ? true : deprecated;
    return schema;
  }

  private typeSchema(node: TypeNode, where: Where): PropertySchema {
    if (Node.isParenthesizedTypeNode(node)) return this.typeSchema(node.getTypeNode(), where);
    switch (node.getKind()) {
      case SyntaxKind.StringKeyword:
        return { type: 'string' };
      case SyntaxKind.NumberKeyword:
        return { type: 'number' };
      case SyntaxKind.BooleanKeyword:
        return { type: 'boolean' };
    }
    const literal = stringLiteralValue(node);
    if (literal !== undefined) return { type: 'string', const: literal };
    if (Node.isArrayTypeNode(node)) return { type: 'array', items: this.typeSchema(node.getElementTypeNode(), where) };
    if (Node.isTypeOperatorTypeNode(node) && node.getOperator() === SyntaxKind.ReadonlyKeyword) {
      return this.typeSchema(node.getTypeNode(), where);
    }
    if (Node.isUnionTypeNode(node)) return this.unionSchema(node, where);
    if (Node.isTypeLiteral(node)) {
      const properties = new Map<string, PropertySignature>();
      this.collectProperties(node.getMembers(), where, properties);
      return this.objectSchema(properties, where);
    }
    if (Node.isTypeReference(node)) return this.referenceSchema(node, where);
    return this.unsupported(node, where);
  }

  private referenceSchema(node: TypeReferenceNode, where: Where): PropertySchema {
    const name = node.getTypeName().getText();
    const typeArguments = node.getTypeArguments();
    const declarations = this.resolveDeclarations(node.getTypeName(), where);
    if (declarations.every((d) => this.isDefaultLibrary(d))) {
      if ((name === 'Array' || name === 'ReadonlyArray') && typeArguments.length === 1) {
        return { type: 'array', items: this.typeSchema(typeArguments[0], where) };
      }
      if (name === 'Record' && typeArguments.length === 2) {
        if (typeArguments[0].getKind() !== SyntaxKind.StringKeyword) {
          this.fail(where, `Record keys must be \`string\`, not \`${typeArguments[0].getText()}\``);
        }
        return { type: 'object', additionalProperties: this.typeSchema(typeArguments[1], where) };
      }
      return this.unsupported(node, where);
    }
    if (typeArguments.length > 0) this.fail(where, `generic type \`${node.getText()}\` is not supported`);
    if (declarations.length !== 1) {
      this.fail(where, `\`${name}\` has ${declarations.length} merged declarations; give it exactly one`);
    }
    const declaration = declarations[0];
    if (Node.isInterfaceDeclaration(declaration)) {
      return { description: this.declarationDescription(declaration, where), ...this.interfaceSchema(declaration, where) };
    }
    if (Node.isTypeAliasDeclaration(declaration)) {
      if (declaration.getTypeParameters().length > 0) this.fail(where, `generic type \`${name}\` is not supported`);
      const { description, ...shape } = this.typeSchema(declaration.getTypeNodeOrThrow(), where);
      return { description: this.declarationDescription(declaration, where) ?? description, ...shape };
    }
    return this.unsupported(node, where);
  }

  private unionSchema(node: TypeNode, where: Where): PropertySchema {
    const members = this.unionMembers(node, where);
    if (members.length === 1) return this.typeSchema(members[0], where);
    const literals = members.map(stringLiteralValue);
    if (literals.every((value): value is string => value !== undefined)) {
      return { type: 'string', enum: [...new Set(literals)] };
    }
    if (members.every((member) => this.isObjectType(member, where))) return this.discriminatedUnion(members, where);
    // `string | number`: what `nx g` hands over for `--opensslVersion=3.5` (its argument parser reads numbers).
    const kinds = members.map((member) => member.getKind()).sort();
    if (members.length === 2 && kinds[0] === SyntaxKind.NumberKeyword && kinds[1] === SyntaxKind.StringKeyword) return { type: ['string', 'number'] };
    return this.fail(
      where,
      `unsupported union \`${node.getText()}\`: use a union of string literals, or of interfaces discriminated by a string-literal \`kind\``,
    );
  }

  /** The union's members with parentheses, nested unions and type aliases unwrapped, `undefined` left out. */
  private unionMembers(node: TypeNode, where: Where): TypeNode[] {
    const unwrapped = this.unwrapAliases(node, where);
    if (!Node.isUnionTypeNode(unwrapped)) return [unwrapped];
    return unwrapped
      .getTypeNodes()
      .filter((member) => member.getKind() !== SyntaxKind.UndefinedKeyword)
      .flatMap((member) => this.unionMembers(member, where));
  }

  private unwrapAliases(node: TypeNode, where: Where): TypeNode {
    if (Node.isParenthesizedTypeNode(node)) return this.unwrapAliases(node.getTypeNode(), where);
    if (Node.isTypeReference(node) && node.getTypeArguments().length === 0) {
      const declarations = this.resolveDeclarations(node.getTypeName(), where);
      const declaration = declarations[0];
      if (declarations.length === 1 && Node.isTypeAliasDeclaration(declaration) && declaration.getTypeParameters().length === 0) {
        return this.unwrapAliases(declaration.getTypeNodeOrThrow(), where);
      }
    }
    return node;
  }

  private isObjectType(node: TypeNode, where: Where): boolean {
    if (Node.isTypeLiteral(node)) return true;
    if (!Node.isTypeReference(node)) return false;
    const declarations = this.resolveDeclarations(node.getTypeName(), where);
    return declarations.length === 1 && Node.isInterfaceDeclaration(declarations[0]) && !this.isDefaultLibrary(declarations[0]);
  }

  private discriminatedUnion(members: TypeNode[], where: Where): PropertySchema {
    const kinds = new Set<string>();
    const branches = members.map((member) => {
      const branch = this.typeSchema(member, [...where, `[${member.getText()}]`]);
      const kind = branch.properties?.kind?.const;
      if (kind === undefined || !branch.required?.includes('kind')) {
        this.fail(where, `each member of a union of objects needs a required string-literal \`kind\`; \`${member.getText()}\` has none`);
      }
      if (kinds.has(kind)) this.fail(where, `two members of the union have kind '${kind}'`);
      kinds.add(kind);
      return branch;
    });
    return { type: 'object', oneOf: branches };
  }

  private resolveDeclarations(name: Node, where: Where): Node[] {
    let symbol = name.getSymbol();
    if (symbol?.isAlias()) symbol = symbol.getAliasedSymbol();
    const declarations = symbol?.getDeclarations() ?? [];
    if (declarations.length === 0) {
      this.fail(where, `cannot resolve \`${name.getText()}\`: check its import (module paths resolve through the root tsconfig.json)`);
    }
    return declarations;
  }

  private isDefaultLibrary(node: Node): boolean {
    const program = node.getProject().getProgram().compilerObject;
    return program.isSourceFileDefaultLibrary(node.getSourceFile().compilerNode);
  }

  /** The JSDoc prose of a helper type; its tags are its own business. */
  private declarationDescription(declaration: Node, where: Where): string | undefined {
    if (!Node.isJSDocable(declaration)) return undefined;
    return readDocComment(declaration, [], (problem) => this.fail(where, problem), { ignoreUnknownTags: true }).description;
  }

  private unsupported(node: TypeNode, where: Where): never {
    return this.fail(where, `unsupported type \`${node.getText()}\` (supported: ${SUPPORTED_TYPES})`);
  }

  private fail(where: Where, problem: string): never {
    const path = where.reduce((text, part) => (text === '' || part.startsWith('[') ? text + part : `${text}.${part}`), '');
    throw new SchemaSourceError(`${this.displayPath}: ${path === '' ? '' : `${path}: `}${problem}`);
  }
}

function stringLiteralValue(node: TypeNode): string | undefined {
  if (!Node.isLiteralTypeNode(node)) return undefined;
  const literal = node.getLiteral();
  return Node.isStringLiteral(literal) || Node.isNoSubstitutionTemplateLiteral(literal) ? literal.getLiteralValue() : undefined;
}

/** Why a `@default` value would be refused by the schema it is written in, or undefined if it fits. */
function defaultMismatch(value: unknown, schema: PropertySchema): string | undefined {
  if (schema.oneOf) {
    return schema.oneOf.some((branch) => defaultMismatch(value, branch) === undefined) ? undefined : 'matches no member of the union';
  }
  switch (schema.type) {
    case 'string':
      if (typeof value !== 'string') return 'is not a string';
      if (schema.enum && !schema.enum.includes(value)) return `is not one of ${schema.enum.join(', ')}`;
      if (schema.const !== undefined && value !== schema.const) return `is not '${schema.const}'`;
      if (schema.pattern && !new RegExp(schema.pattern).test(value)) return `does not match @pattern ${schema.pattern}`;
      return undefined;
    case 'boolean':
      return typeof value === 'boolean' ? undefined : 'is not a boolean';
    case 'number':
    case 'integer':
      if (typeof value !== 'number') return 'is not a number';
      if (schema.type === 'integer' && !Number.isInteger(value)) return 'is not an integer';
      if (schema.minimum !== undefined && value < schema.minimum) return `is below @minimum ${schema.minimum}`;
      if (schema.maximum !== undefined && value > schema.maximum) return `is above @maximum ${schema.maximum}`;
      return undefined;
    case 'array': {
      if (!Array.isArray(value)) return 'is not an array';
      for (const [index, item] of value.entries()) {
        const mismatch = schema.items && defaultMismatch(item, schema.items);
        if (mismatch) return `has item ${index} that ${mismatch}`;
      }
      return undefined;
    }
    case 'object': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not an object';
      for (const [key, item] of Object.entries(value)) {
        const itemSchema = schema.properties?.[key] ?? schema.additionalProperties;
        if (!itemSchema) return `has unknown key '${key}'`;
        const mismatch = defaultMismatch(item, itemSchema);
        if (mismatch) return `has '${key}' that ${mismatch}`;
      }
      const missing = schema.required?.find((key) => !(key in value));
      return missing === undefined ? undefined : `lacks required key '${missing}'`;
    }
  }
  return undefined;
}
