"""What a step needs to know of tf.distribute's replicas: its share, and the global batch."""
import tensorflow as tf


def share():
    """(number of replicas in sync, this replica's id); (1, 0) outside a replica context."""
    context = tf.distribute.get_replica_context()
    if context is None:  # cross-replica context: not inside strategy.run
        return 1, 0
    return context.num_replicas_in_sync, context.replica_id_in_sync_group


def gather(values):
    """The global batch: every replica's rows of `values`, in replica order; `values` on one replica.

    For terms that couple the examples of a batch (EBGAN's pull-away term, the image pool):
    computed on the gathered batch they equal the one-device value. Gradients flow back to
    each replica's own rows.
    """
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return values
    return context.all_gather(values, axis=0)


def sum_across(values):
    """`values` (a tensor or a list of them) summed over the replicas; as given on one replica. Differentiable."""
    context = tf.distribute.get_replica_context()
    if context is None or context.num_replicas_in_sync == 1:
        return values
    return context.all_reduce(tf.distribute.ReduceOp.SUM, values)
