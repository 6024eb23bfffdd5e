namespace Chas.Server.Auth;

/// <summary>
/// Who may call what. Today two kinds of callers exist: the admin (CLI, dashboard) and node agents
/// holding the join token. Users, roles and namespaces refine these policies later.
/// </summary>
public static class Policies
{
    public const string User = "chas-user";
    public const string Agent = "chas-agent-or-user";

    public const string AdminRole = "admin";
    public const string NodeRole = "node";
}
