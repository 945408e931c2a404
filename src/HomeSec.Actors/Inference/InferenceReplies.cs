using Akka.Actor;
using static HomeSec.Actors.Inference.InferenceProtocol;

namespace HomeSec.Actors.Inference;

/// <summary>
/// <c>/user/inference-replies</c>: the sender of every request the <see cref="InferenceClient"/>
/// tells the pool. It hands each reply to the client, which completes the waiting task: one long-lived
/// actor instead of a temporary Ask actor per frame, and an address that works across the network.
/// </summary>
public sealed class InferenceReplies : ReceiveActor
{
    public InferenceReplies(InferenceClient client)
    {
        Receive<DetectResult>(client.Complete);
    }

    public static Props Props(InferenceClient client) => Akka.Actor.Props.Create(() => new InferenceReplies(client));
}
