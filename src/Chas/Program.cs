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
    ExecCommand.Create(),
    ForwardCommand.Create(),
    TaskCommands.Stop(),
    TaskCommands.Rm(),
    DeploymentCommands.Deploy(),
    DeploymentCommands.List(),
    DeploymentCommands.Scale(),
    DeploymentCommands.Rollout(),
    ApplyCommand.Create(),
    ServicesCommand.Create(),
    TrafficCommand.Create(),
    NodesCommand.Create(),
    TopCommand.Create(),
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
    EventsCommand.Create(),
    ConfigCommands.Create(),
    CompletionCommand.Create(),
    AdminCommands.Create(),
};
var parse = Chas.Cli.ServerOption.Parse(root, args);
// With no words at all the parser's own answer (the help) is the useful one.
if (args.Length > 0 && Chas.Cli.UsageErrors.Report(parse) is { } usageError) return usageError;
return await parse.InvokeAsync();
