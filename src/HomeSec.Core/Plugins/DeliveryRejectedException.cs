namespace HomeSec.Core.Plugins;

/// <summary>
/// Thrown by a notifier when the receiver refused the alert for a reason that retrying cannot fix
/// (bad credentials, a malformed request). The pipeline neither retries it nor keeps it in the outbox.
/// The message must never contain the secret that was refused.
/// </summary>
public sealed class DeliveryRejectedException(string message, Exception? innerException = null) : Exception(message, innerException);
