using System.CommandLine;
using HomeSec.Core.Config;
using HomeSec.Core.Web;

namespace HomeSec.Cli;

/// <summary>
/// <c>homesec user add|remove|list|hash</c> and <c>homesec token create|list|revoke</c>: who may use the web UI and the
/// API. Users and tokens live in <c>state_store.local_state_dir</c>; a running daemon picks changes up at once.
/// </summary>
public static class UserCommand
{
    public static Command BuildUser()
    {
        var command = new Command("user", "Manage the web UI's users (saved in state_store.local_state_dir/users.json).");
        var name = new Argument<string>("name") { Description = "The user name (letters, digits, '.', '_', '-')." };
        var stdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line) instead of asking." };
        var config = ConfigOption();
        var add = new Command("add", "Add a user, or set a new password for one; asks for the password.") { name, stdin, config };
        add.SetAction((parse, _) => AddUserAsync(parse.GetValue(name)!, parse.GetValue(stdin), parse.GetValue(config)!));
        command.Subcommands.Add(add);

        var removeName = new Argument<string>("name") { Description = "The user to remove." };
        var removeConfig = ConfigOption();
        var remove = new Command("remove", "Remove a user (their open sessions end when they expire).") { removeName, removeConfig };
        remove.SetAction((parse, _) => WithCredentials(parse.GetValue(removeConfig)!, credentials =>
            Done(credentials.RemoveUser(parse.GetValue(removeName)!), $"removed user {parse.GetValue(removeName)}", $"homesec: there is no saved user '{parse.GetValue(removeName)}'.")));
        command.Subcommands.Add(remove);

        var listConfig = ConfigOption();
        var list = new Command("list", "List the users.") { listConfig };
        list.SetAction((parse, _) => WithCredentials(parse.GetValue(listConfig)!, credentials =>
        {
            foreach (var user in credentials.Users())
            {
                Console.WriteLine($"{user.Name}\tadded {user.CreatedAt:yyyy-MM-dd HH:mm}Z");
            }

            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(list);

        var hashStdin = new Option<bool>("--password-stdin") { Description = "Read the password from standard input (one line) instead of asking." };
        var hash = new Command("hash", "Print a password hash for web.users[].password_hash_env (containers without a users file).") { hashStdin };
        hash.SetAction(async (parse, _) =>
        {
            if (await ReadPasswordAsync(parse.GetValue(hashStdin)) is not { } password)
            {
                return ExitCodes.Usage;
            }

            Console.WriteLine(PasswordHasher.Hash(password));
            return ExitCodes.Ok;
        });
        command.Subcommands.Add(hash);
        return command;
    }

    public static Command BuildToken()
    {
        var command = new Command("token", "Manage API tokens for scripts, Home Assistant and Prometheus (Authorization: Bearer TOKEN).");
        var name = new Argument<string>("name") { Description = "What the token is for, e.g. home-assistant." };
        var config = ConfigOption();
        var create = new Command("create", "Create a token and print it (the only time it is shown).") { name, config };
        create.SetAction((parse, _) => WithCredentials(parse.GetValue(config)!, credentials =>
        {
            var tokenName = parse.GetValue(name)!;
            if (!UserNames.IsValid(tokenName))
            {
                Console.Error.WriteLine($"homesec: token name '{tokenName}' is not allowed; {UserNames.Rule.Replace("user name", "token name", StringComparison.Ordinal)}.");
                return ExitCodes.Usage;
            }

            Console.WriteLine(credentials.CreateToken(tokenName, TimeProvider.System));
            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(create);

        var listConfig = ConfigOption();
        var list = new Command("list", "List the tokens by name (their values are not kept).") { listConfig };
        list.SetAction((parse, _) => WithCredentials(parse.GetValue(listConfig)!, credentials =>
        {
            foreach (var token in credentials.Tokens())
            {
                Console.WriteLine($"{token.Name}\tcreated {token.CreatedAt:yyyy-MM-dd HH:mm}Z");
            }

            return ExitCodes.Ok;
        }));
        command.Subcommands.Add(list);

        var revokeName = new Argument<string>("name") { Description = "The token to revoke (every token of that name)." };
        var revokeConfig = ConfigOption();
        var revoke = new Command("revoke", "Revoke a token; requests with it are refused at once.") { revokeName, revokeConfig };
        revoke.SetAction((parse, _) => WithCredentials(parse.GetValue(revokeConfig)!, credentials =>
            Done(credentials.RevokeToken(parse.GetValue(revokeName)!), $"revoked token {parse.GetValue(revokeName)}", $"homesec: there is no token '{parse.GetValue(revokeName)}'.")));
        command.Subcommands.Add(revoke);
        return command;
    }

    private static Option<FileInfo> ConfigOption() => new("--config", "-c")
    {
        Description = "The daemon's config file (its state_store.local_state_dir holds the users and tokens).",
        DefaultValueFactory = _ => new FileInfo("homesec.yaml"),
    };

    private static async Task<int> AddUserAsync(string name, bool fromStdin, FileInfo configFile)
    {
        if (!UserNames.IsValid(name))
        {
            await Console.Error.WriteLineAsync($"homesec: user name '{name}' is not allowed; {UserNames.Rule}.");
            return ExitCodes.Usage;
        }

        if (LocalStateDir(configFile) is not { } dir)
        {
            return ExitCodes.Usage;
        }

        if (await ReadPasswordAsync(fromStdin) is not { } password)
        {
            return ExitCodes.Usage;
        }

        return Run(dir, credentials =>
        {
            credentials.SaveUser(name, password, TimeProvider.System);
            Console.WriteLine($"saved user {name}; log in at the daemon's address (health.host:health.port)");
            return ExitCodes.Ok;
        });
    }

    /// <summary>From standard input, or asked twice without echo on a terminal; null (and a sentence on stderr) when unusable.</summary>
    private static async Task<string?> ReadPasswordAsync(bool fromStdin)
    {
        string? password;
        if (fromStdin || Console.IsInputRedirected)
        {
            password = (await Console.In.ReadLineAsync())?.TrimEnd('\r', '\n');
        }
        else
        {
            password = ReadHidden("Password: ");
            if (ReadHidden("Again: ") != password)
            {
                await Console.Error.WriteLineAsync("homesec: the two passwords differ; nothing was saved.");
                return null;
            }
        }

        if (password is null || password.Length < 8)
        {
            await Console.Error.WriteLineAsync("homesec: a password needs at least 8 characters; nothing was saved.");
            return null;
        }

        return password;
    }

    private static string ReadHidden(string prompt)
    {
        Console.Error.Write(prompt);
        var text = new System.Text.StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return text.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (text.Length > 0)
                {
                    text.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                text.Append(key.KeyChar);
            }
        }
    }

    private static int Done(bool changed, string ok, string notFound)
    {
        if (changed)
        {
            Console.WriteLine(ok);
            return ExitCodes.Ok;
        }

        Console.Error.WriteLine(notFound);
        return ExitCodes.Failure;
    }

    private static Task<int> WithCredentials(FileInfo configFile, Func<Credentials, int> action) =>
        Task.FromResult(LocalStateDir(configFile) is { } dir ? Run(dir, action) : ExitCodes.Usage);

    private static int Run(string localStateDir, Func<Credentials, int> action)
    {
        try
        {
            return action(new Credentials(localStateDir, []));
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            Console.Error.WriteLine($"homesec: cannot read or write the credentials in {localStateDir}: {HomeSecCli.OneLine(ex.Message)}");
            return ExitCodes.Failure;
        }
    }

    /// <summary>The config's <c>state_store.local_state_dir</c>; null (and the errors printed) when the file cannot say.</summary>
    internal static string? LocalStateDir(FileInfo configFile)
    {
        try
        {
            return AppConfigLoader.LoadStateStoreFile(configFile.FullName).LocalStateDir;
        }
        catch (ConfigException ex)
        {
            ValidateCommand.PrintErrors(configFile, ex, Console.Error);
            return null;
        }
    }
}
