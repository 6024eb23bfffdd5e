using Chas.Contracts;

namespace Chas.Cli;

/// <summary>One object of a `chas apply` file, parsed and validated: the request to send, and where it came from.</summary>
internal abstract record Manifest(string Source, int Document)
{
    /// <summary>"deployment" or "task", as `chas apply` prints it.</summary>
    public abstract string Kind { get; }
    public abstract string Name { get; }
    public abstract string Namespace { get; }

    /// <summary>"deployment/web".</summary>
    public string Id => $"{Kind}/{Name}";

    /// <summary>"web.yaml: document 2".</summary>
    public string Where => $"{Source}: document {Document}";
}

internal sealed record DeploymentManifest(string Source, int Document, ApplyDeploymentRequest Request) : Manifest(Source, Document)
{
    public override string Kind => "deployment";
    public override string Name => Request.Name ?? "";
    public override string Namespace => Request.Namespace ?? Namespaces.Default;
}

internal sealed record TaskManifest(string Source, int Document, CreateTaskRequest Request) : Manifest(Source, Document)
{
    public override string Kind => "task";
    public override string Name => Request.Name ?? "";
    public override string Namespace => Request.Namespace ?? Namespaces.Default;
}
