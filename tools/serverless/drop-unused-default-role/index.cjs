'use strict';
/**
 * serverless-iam-roles-per-function gives every function a role of its own, cloned from the provider's
 * default role, and leaves the default role in the template although nothing uses it. An unused role is
 * still a principal with permissions: this plugin removes it when no other resource refers to it.
 */
class DropUnusedDefaultRole {
  constructor(serverless) {
    this.serverless = serverless;
    // Runs after serverless-iam-roles-per-function (listed before it) and before the template is written.
    this.hooks = { 'before:package:finalize': () => this.drop() };
  }

  drop() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    const roleId = this.serverless.getProvider('aws').naming.getRoleLogicalId();
    if (!template.Resources[roleId]) return;
    const { [roleId]: _role, ...others } = template.Resources;
    const referenced = JSON.stringify([others, template.Outputs ?? {}]).includes(`"${roleId}"`);
    if (!referenced) delete template.Resources[roleId];
  }
}

module.exports = DropUnusedDefaultRole;
