using System.Text.RegularExpressions;
using HomeSec.Core.Config;
using HomeSec.Core.Plugins.Notifiers.Http;

namespace HomeSec.Core.Plugins.Notifiers.Telegram;

/// <summary>Options of the <c>telegram</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="BotToken">From <c>bot_token_env</c> (what @BotFather gave). It is part of every request path, so it is never logged.</param>
/// <param name="ChatId">A numeric chat id (groups and channels are negative) or <c>@channelusername</c>.</param>
/// <param name="ApiUrl">https://api.telegram.org by default (a local Bot API server or a test's fake otherwise).</param>
public sealed partial record TelegramNotifierOptions(string BotToken, string ChatId, Uri ApiUrl)
{
    public const string DefaultApiUrl = "https://api.telegram.org";

    public Uri MethodUrl(string method) => new($"{ApiUrl.AbsoluteUri.TrimEnd('/')}/bot{BotToken}/{method}");

    public static TelegramNotifierOptions Read(ConfigSection config)
    {
        var token = config.Secret("bot_token_env", required: true) ?? "";
        if (token.Length > 0 && !BotTokenPattern().IsMatch(token))
        {
            config.Error("bot_token_env", $"environment variable '{config.String("bot_token_env")}' does not hold a bot token (digits, ':', then letters, digits, '_' and '-')");
        }

        var chatId = config.RequiredString("chat_id");
        if (chatId.Length > 0 && !ChatIdPattern().IsMatch(chatId))
        {
            config.Error("chat_id", $"'{chatId}' is not allowed; a numeric chat id (e.g. 123456789 or -1001234567890) or @channelusername");
        }

        var apiUrl = HttpUrlOption.Read(config, "api_url", DefaultApiUrl) ?? new Uri(DefaultApiUrl);
        return new TelegramNotifierOptions(token, chatId, apiUrl);
    }

    public override string ToString() => $"TelegramNotifierOptions {{ ChatId = {ChatId}, ApiUrl = {ApiUrl}, BotToken = *** }}";

    [GeneratedRegex("^[0-9]+:[A-Za-z0-9_-]+$")]
    private static partial Regex BotTokenPattern();

    [GeneratedRegex("^(-?[0-9]{1,20}|@[A-Za-z][A-Za-z0-9_]{3,31})$")]
    private static partial Regex ChatIdPattern();
}
