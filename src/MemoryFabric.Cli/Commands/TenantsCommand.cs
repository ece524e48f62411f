using System.CommandLine;
using MemoryFabric.Api;
using MemoryFabric.Cli.Connection;

namespace MemoryFabric.Cli.Commands;

/// <summary><c>memfab tenants list|create|delete</c>: the server's tenants, with its admin key (<c>--key</c> or
/// <c>$MEMORYFABRIC_ADMIN_KEY</c>).</summary>
internal static class TenantsCommand
{
    /// <summary>Builds the command and its subcommands.</summary>
    /// <returns>The command.</returns>
    public static Command Create()
    {
        var command = new Command("tenants", "List, create and delete the server's tenants (needs the admin key: --key or $MEMORYFABRIC_ADMIN_KEY).");
        command.Subcommands.Add(CreateList());
        command.Subcommands.Add(CreateCreate());
        command.Subcommands.Add(CreateDelete());
        return command;
    }

    private static Command CreateList()
    {
        var json = CommandOutput.JsonOption("Print the tenants as JSON ({\"tenants\":[...]}).");
        var connection = new AdminConnectionOptions();
        var command = new Command("list", "List the tenants by id, with those whose deletion is not finished.") { json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var asJson = parseResult.GetValue(json);
            return AdminCommandRunner.RunAsync(parseResult, connection, async (admin, stdout, stderr, ct) =>
            {
                var tenants = await admin.ListTenantsAsync(ct).ConfigureAwait(false);
                if (asJson)
                {
                    await CommandOutput.WriteJsonAsync(stdout, new TenantList(tenants)).ConfigureAwait(false);
                }
                else if (tenants.Count == 0)
                {
                    await stderr.WriteLineAsync("memfab tenants: no tenants").ConfigureAwait(false);
                }
                else
                {
                    await CommandOutput.WriteTableAsync(
                        stdout,
                        ["TENANT", "NAME", "CREATED", "STATE"],
                        tenants.Select(t => new[]
                        {
                            t.Id, t.Name, CommandOutput.Time(t.CreatedAt), t.DeletingSince is { } since ? "deleting since " + CommandOutput.Time(since) : "active",
                        })).ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateCreate()
    {
        var id = new Argument<string>("ID") { Description = "The tenant id: 1-64 characters of a-z 0-9 -, starting with a letter or digit." };
        var name = new Option<string?>("--name") { Description = "A display name (default: the id).", HelpName = "text" };
        var json = CommandOutput.JsonOption("Print the tenant as JSON.");
        var connection = new AdminConnectionOptions();
        var command = new Command("create", "Create a tenant (then a key for it: POST /v1/admin/tenants/{id}/keys).") { id, name, json };
        connection.AddTo(command);
        command.SetAction((parseResult, cancellationToken) =>
        {
            var tenantId = Required(parseResult.GetValue(id));
            var displayName = parseResult.GetValue(name) ?? string.Empty;
            var asJson = parseResult.GetValue(json);
            return AdminCommandRunner.RunAsync(parseResult, connection, async (admin, stdout, stderr, ct) =>
            {
                var tenant = await admin.CreateTenantAsync(tenantId, displayName, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, tenant)
                    : stdout.WriteLineAsync($"created tenant {tenant.Id} ({tenant.Name})")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken);
        });
        return command;
    }

    private static Command CreateDelete()
    {
        var id = new Argument<string>("ID") { Description = "The tenant id." };
        var yes = new Option<bool>("--yes", "-y") { Description = "Delete without asking (needed when standard input is not a terminal)." };
        var json = CommandOutput.JsonOption("Print what was removed as JSON ({\"tenant\":...,\"agentsPurged\":...,\"keysRevoked\":...}).");
        var connection = new AdminConnectionOptions();
        var command = new Command("delete", "Delete a tenant for good: its keys revoked at once, every agent's memory and the guard's settings purged "
            + "from the server's files, the tenant removed (its id can be created again, empty). Asks to type the id back unless --yes.")
        {
            id, yes, json,
        };
        connection.AddTo(command);
        command.SetAction(async (parseResult, cancellationToken) =>
        {
            var tenantId = Required(parseResult.GetValue(id));
            var asJson = parseResult.GetValue(json);
            var stderr = parseResult.InvocationConfiguration.Error;
            connection.Read(parseResult); // a missing key is reported before the question
            if (!parseResult.GetValue(yes))
            {
                var terminal = ConfirmPrompt.Terminal
                    ?? throw new UsageException($"tenants delete: standard input is not a terminal to confirm on; pass --yes to delete '{tenantId}'");
                var question = $"memfab tenants delete: this revokes every key of '{tenantId}' and purges all its agents' memory for good. Type the tenant id to confirm:";
                if (!await ConfirmPrompt.AskAsync(terminal, stderr, question, tenantId, cancellationToken).ConfigureAwait(false))
                {
                    await stderr.WriteLineAsync("memfab tenants delete: not confirmed; nothing was deleted").ConfigureAwait(false);
                    return ExitCodes.Failure;
                }
            }

            return await AdminCommandRunner.RunAsync(parseResult, connection, async (admin, stdout, _, ct) =>
            {
                var result = await admin.DeleteTenantAsync(tenantId, ct).ConfigureAwait(false);
                await (asJson
                    ? CommandOutput.WriteJsonAsync(stdout, result)
                    : stdout.WriteLineAsync($"deleted tenant {result.Tenant}: {Plural(result.AgentsPurged, "agent")} purged, {Plural(result.KeysRevoked, "key")} revoked")).ConfigureAwait(false);
                return ExitCodes.Success;
            }, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static string Required(string? value) =>
        string.IsNullOrWhiteSpace(value) ? throw new UsageException("ID: the tenant id is blank") : value.Trim();

    private static string Plural(int count, string noun) => $"{CommandOutput.Count(count)} {noun}{(count == 1 ? string.Empty : "s")}";
}
