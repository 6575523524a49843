import 'reflect-metadata';

/** How a variable's value is shown by `mcp-gateway config`, logs and errors. */
export type SecretKind = 'none' | 'full' | 'url-password';

export interface EnvVarOptions {
  description: string;
  secret?: SecretKind;
  /** Issue or section that consumes it, when it is declared ahead of its feature. */
  usedBy?: string;
  /** Accepted alternative names (the seed's names are the primary ones; aliases are for convenience). */
  aliases?: string[];
}

export interface EnvVarDescriptor extends Required<Omit<EnvVarOptions, 'usedBy'>> {
  name: string;
  usedBy?: string;
}

const ENV_VARS = Symbol('mreg:env-vars');

/** Declares a property of the env class as a documented environment variable. */
export function EnvVar(options: EnvVarOptions): PropertyDecorator {
  return (target, propertyKey) => {
    const list = (Reflect.getMetadata(ENV_VARS, target) as EnvVarDescriptor[] | undefined) ?? [];
    list.push({
      name: String(propertyKey),
      description: options.description,
      secret: options.secret ?? 'none',
      aliases: options.aliases ?? [],
      usedBy: options.usedBy,
    });
    Reflect.defineMetadata(ENV_VARS, list, target);
  };
}

export function envVarsOf(ctor: abstract new () => object): readonly EnvVarDescriptor[] {
  return (Reflect.getMetadata(ENV_VARS, ctor.prototype as object) as EnvVarDescriptor[] | undefined) ?? [];
}
