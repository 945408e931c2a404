using HomeSec.Core.Config;
using HomeSec.Core.Config.Options;

namespace HomeSec.Core.Plugins.Notifiers.Email;

public enum EmailProvider
{
    Smtp,
    SendGrid,
}

public enum SmtpSecurity
{
    None,
    StartTls,
    Tls,
}

/// <summary>Options of the <c>email</c> notifier (config keys in snake_case; see config/example.yaml).</summary>
/// <param name="SubjectTemplate">Placeholders: {camera_name}, {risk_level}, {activity_type}, {clip_id}, {notify_reason}.</param>
/// <param name="Smtp">Set when <c>provider: smtp</c>.</param>
/// <param name="SendGrid">Set when <c>provider: sendgrid</c>.</param>
public sealed record EmailNotifierOptions(
    [property: Option("provider", Default = EmailProvider.Smtp)] EmailProvider Provider,
    IReadOnlyList<string> ToEmails,
    string FromEmail,
    [property: Option("from_name", Default = "HomeSec")] string FromName,
    [property: Option("subject_template", Default = EmailNotifierOptions.DefaultSubject)] string SubjectTemplate,
    SmtpOptions? Smtp,
    SendGridOptions? SendGrid)
{
    public const string DefaultSubject = "HomeSec alert: {camera_name} ({risk_level}, {activity_type})";

    public static EmailNotifierOptions Read(ConfigSection config)
    {
        var declared = OptionBinder.Bind<EmailNotifierOptions>(config);
        var provider = declared.Provider;
        var to = config.StringList("to_emails", []);
        if (to.Count == 0)
        {
            config.Error("to_emails", "needs at least one address");
        }

        foreach (var address in to.Where(a => !LooksLikeAddress(a)))
        {
            config.Error("to_emails", $"'{address}' is not an email address");
        }

        var from = config.RequiredString("from_email");
        if (from.Length > 0 && !LooksLikeAddress(from))
        {
            config.Error("from_email", $"'{from}' is not an email address");
        }

        var fromName = declared.FromName;
        var subject = declared.SubjectTemplate;
        var smtpSection = config.Section("smtp");
        var sendGridSection = config.Section("sendgrid");
        SmtpOptions? smtp = null;
        SendGridOptions? sendGrid = null;
        if (provider == EmailProvider.Smtp)
        {
            smtp = SmtpOptions.Read(smtpSection);
            sendGridSection.IgnoreUnknownKeys();
        }
        else
        {
            sendGrid = SendGridOptions.Read(sendGridSection);
            smtpSection.IgnoreUnknownKeys();
        }

        return new EmailNotifierOptions(provider, to, from, fromName, subject, smtp, sendGrid);
    }

    private static bool LooksLikeAddress(string address) =>
        address.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 && at < address.Length - 1 && !address.Any(char.IsWhiteSpace);
}

/// <summary>SMTP server settings. <see cref="ToString"/> never shows the password.</summary>
public sealed record SmtpOptions(string Host, int Port, SmtpSecurity Security, string? Username, string? Password)
{
    public static SmtpOptions Read(ConfigSection config)
    {
        var host = config.RequiredString("host");
        var security = config.Choice("security", SmtpSecurity.StartTls,
            new Dictionary<string, SmtpSecurity> { ["none"] = SmtpSecurity.None, ["starttls"] = SmtpSecurity.StartTls, ["tls"] = SmtpSecurity.Tls });
        var port = config.Int("port", security switch { SmtpSecurity.Tls => 465, SmtpSecurity.StartTls => 587, _ => 25 }, 1, 65535);
        string? username = null;
        string? password = null;
        if (config.Has("username_env") || config.Has("password_env"))
        {
            username = config.Secret("username_env", required: true);
            password = config.Secret("password_env", required: true);
        }

        return new SmtpOptions(host, port, security, username, password);
    }

    public override string ToString() => $"SmtpOptions {{ Host = {Host}, Port = {Port}, Security = {Security}, Username = {Username}, Password = *** }}";
}

/// <summary>SendGrid's v3 API. <see cref="ToString"/> never shows the key.</summary>
/// <param name="BaseUrl">https://api.sendgrid.com by default; tests point it at a local fake.</param>
public sealed record SendGridOptions(string ApiKey, Uri BaseUrl)
{
    public static SendGridOptions Read(ConfigSection config)
    {
        var apiKey = config.Secret("api_key_env", required: true) ?? "";
        var text = config.String("base_url", "https://api.sendgrid.com")!;
        if (!Uri.TryCreate(text, UriKind.Absolute, out var baseUrl) || (baseUrl.Scheme != Uri.UriSchemeHttps && baseUrl.Scheme != Uri.UriSchemeHttp))
        {
            config.Error("base_url", $"'{text}' is not an http(s) URL");
            baseUrl = new Uri("https://api.sendgrid.com");
        }

        return new SendGridOptions(apiKey, baseUrl);
    }

    public override string ToString() => $"SendGridOptions {{ BaseUrl = {BaseUrl}, ApiKey = *** }}";
}
