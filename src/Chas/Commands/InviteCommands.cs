using System.CommandLine;
using Chas.Cli;
using Chas.Contracts;

namespace Chas.Commands;

/// <summary>`chas invite create|ls|rm`: codes that let people sign up themselves (admin).</summary>
internal static class InviteCommands
{
    public static Command Create()
    {
        var role = new Option<string>("--role") { Description = "Role of those who sign up with it: viewer, user (default), operator or admin", DefaultValueFactory = _ => "user" };
        var uses = new Option<int>("--uses") { Description = "How many sign-ups it allows (default 1)", DefaultValueFactory = _ => 1 };
        var expires = new Option<string>("--expires") { Description = "How long it is valid (default 24h)", DefaultValueFactory = _ => "24h" };
        var create = new Command("create", "Create an invitation; prints its code") { role, uses, expires };
        create.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var wanted = UserCommands.ParseRole(parse.GetValue(role)!, "--role");
            if (parse.GetValue(uses) < 1) throw new CliException($"--uses: must be 1 or more, not {parse.GetValue(uses)}");
            var lifetime = Durations.Parse(parse.GetValue(expires)!, "--expires");
            if (lifetime <= TimeSpan.Zero) throw new CliException("--expires: must be longer than 0");
            var invitation = await client.CreateInvitationAsync(new CreateInvitationRequest { Role = wanted, Uses = parse.GetValue(uses), ExpiresInSeconds = lifetime.TotalSeconds }, token);
            Console.Out.WriteLine(invitation.Code);
            Console.Error.WriteLine($"invitation {invitation.Id}: role {invitation.Role.ToWire()}, {invitation.UsesLeft} use{(invitation.UsesLeft == 1 ? "" : "s")}, expires {TokenCommands.Timestamp(invitation.ExpiresAt)}; "
                + $"sign up with: chas signup --server {client.Server.ToString().TrimEnd('/')} --invite CODE --user NAME --password-stdin");
            return 0;
        }, ct));

        var output = OutputFormat.CreateOption();
        var ls = new Command("ls", "List invitations still usable") { output };
        ls.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            var invitations = await client.ListInvitationsAsync(token);
            if (OutputFormat.IsStructured(parse.GetValue(output)))
            {
                OutputFormat.Write(parse.GetValue(output), invitations);
                return 0;
            }
            TableWriter.Write(Console.Out, ["ID", "ROLE", "USES-LEFT", "EXPIRES", "CREATED-BY"], invitations.Select(i => (IReadOnlyList<string>)
                [i.Id, i.Role.ToWire(), i.UsesLeft.ToString(System.Globalization.CultureInfo.InvariantCulture), TokenCommands.Timestamp(i.ExpiresAt), i.CreatedBy]));
            return 0;
        }, ct));

        var id = new Argument<string>("id") { Description = "Invitation id (from `chas invite ls`)" };
        var rm = new Command("rm", "Withdraw an invitation") { id };
        rm.SetAction((parse, ct) => CliRunner.WithClientAsync(async (client, token) =>
        {
            await client.DeleteInvitationAsync(parse.GetValue(id)!, token);
            Console.Out.WriteLine(parse.GetValue(id));
            return 0;
        }, ct));

        return new Command("invite", "Manage invitations to sign up (admin)") { create, ls, rm };
    }
}
