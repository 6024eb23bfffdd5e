using System.CommandLine;
using Chas.Commands;

var root = new RootCommand("CHaS — the Container Hosting System")
{
    DevCommand.Create(),
    ServerCommand.Create(),
    AgentCommand.Create(),
    IngressCommand.Create(),
    TaskCommands.Run(),
    TaskCommands.Ps(),
    TaskCommands.Inspect(),
    LogsCommand.Create(),
    TaskCommands.Stop(),
    TaskCommands.Rm(),
    DeploymentCommands.Deploy(),
    DeploymentCommands.List(),
    DeploymentCommands.Scale(),
    DeploymentCommands.Rollout(),
    ApplyCommand.Create(),
    ServicesCommand.Create(),
    NodesCommand.Create(),
    NodeCommand.Create(),
    ImageCommand.Create(),
    AuthCommands.Login(),
    AuthCommands.Logout(),
    AuthCommands.WhoAmI(),
    AuthCommands.Signup(),
    UserCommands.Create(),
    TokenCommands.Create(),
    InviteCommands.Create(),
    NamespaceCommands.Create(),
    ApprovalCommands.Approve(),
    ApprovalCommands.Reject(),
    AuditCommand.Create(),
};
return await root.Parse(args).InvokeAsync();
