//! Running futures side by side on the one thread wasm has: what `futures::join!` and
//! `join_all` do, in a few lines rather than a crate. Each future is polled in turn; a host call
//! (a request, a child process) proceeds in Node meanwhile, so two requests cost one round trip.

/// Runs every future to completion, concurrently on one thread, and returns their outputs in
/// order (what `futures::future::join_all` does).
pub async fn all<F: std::future::Future>(futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use std::pin::Pin;
    use std::task::Poll;
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    std::future::poll_fn(move |cx| {
        for (future, slot) in pending.iter_mut().zip(done.iter_mut()) {
            if slot.is_none() {
                if let Poll::Ready(out) = future.as_mut().poll(cx) {
                    *slot = Some(out);
                }
            }
        }
        if done.iter().all(Option::is_some) {
            Poll::Ready(done.iter_mut().map(|slot| slot.take().expect("every future is done")).collect())
        } else {
            Poll::Pending
        }
    })
    .await
}

/// Runs every future to completion with at most `limit` of them started and unfinished at
/// once, and returns their outputs in order: `all` for a list long enough that running it at
/// once would be a burst (GitHub's secondary rate limit counts concurrent requests per token).
/// A future is not polled before a slot is free; futures are lazy, so it has not begun.
pub async fn at_most<F: std::future::Future>(limit: usize, futures: impl IntoIterator<Item = F>) -> Vec<F::Output> {
    use std::pin::Pin;
    use std::task::Poll;
    let limit = limit.max(1);
    let mut pending: Vec<Pin<Box<F>>> = futures.into_iter().map(Box::pin).collect();
    let mut done: Vec<Option<F::Output>> = pending.iter().map(|_| None).collect();
    // Futures start in order: those before `started` have begun; of them, the unfinished are in
    // flight.
    let mut started = 0;
    std::future::poll_fn(move |cx| {
        loop {
            let in_flight = done[..started].iter().filter(|slot| slot.is_none()).count();
            let until = (started + limit - in_flight.min(limit)).min(pending.len());
            started = until;
            let mut finished = false;
            for (future, slot) in pending[..started].iter_mut().zip(done.iter_mut()) {
                if slot.is_none() {
                    if let Poll::Ready(out) = future.as_mut().poll(cx) {
                        *slot = Some(out);
                        finished = true;
                    }
                }
            }
            if done.iter().all(Option::is_some) {
                return Poll::Ready(done.iter_mut().map(|slot| slot.take().expect("every future is done")).collect());
            }
            // A slot freed by this round is filled now, not at the next wake.
            if !finished || started == pending.len() {
                return Poll::Pending;
            }
        }
    })
    .await
}

/// Both futures, polled together on one thread; their outputs once both are done.
pub async fn both<A: std::future::Future, B: std::future::Future>(a: A, b: B) -> (A::Output, B::Output) {
    use std::pin::pin;
    use std::task::Poll;
    let (mut a, mut b) = (pin!(a), pin!(b));
    let (mut ra, mut rb) = (None, None);
    std::future::poll_fn(|cx| {
        if ra.is_none() {
            if let Poll::Ready(v) = a.as_mut().poll(cx) {
                ra = Some(v);
            }
        }
        if rb.is_none() {
            if let Poll::Ready(v) = b.as_mut().poll(cx) {
                rb = Some(v);
            }
        }
        if ra.is_some() && rb.is_some() {
            Poll::Ready((ra.take().unwrap(), rb.take().unwrap()))
        } else {
            Poll::Pending
        }
    })
    .await
}

#[cfg(test)]
mod tests {
    use super::{all, at_most, both};
    use std::cell::RefCell;
    use std::task::Poll;

    /// A future that is pending `waits` times before it finishes, noting each poll in `log`.
    fn slow<'a>(
        name: &'static str,
        waits: usize,
        log: &'a RefCell<Vec<&'static str>>,
    ) -> impl std::future::Future<Output = &'static str> + 'a {
        let mut left = waits;
        std::future::poll_fn(move |cx| {
            log.borrow_mut().push(name);
            if left == 0 {
                return Poll::Ready(name);
            }
            left -= 1;
            cx.waker().wake_by_ref();
            Poll::Pending
        })
    }

    #[test]
    fn futures_run_side_by_side_and_answer_in_order() {
        let log = RefCell::new(Vec::new());
        let out = futures_lite_block_on(all([slow("a", 2, &log), slow("b", 0, &log), slow("c", 1, &log)]));
        assert_eq!(out, ["a", "b", "c"]);
        // b finished at once, while a and c were still pending: they were polled in turns.
        assert_eq!(*log.borrow(), ["a", "b", "c", "a", "c", "a"]);
    }

    #[test]
    fn two_futures_of_different_kinds_run_side_by_side() {
        let log = RefCell::new(Vec::new());
        let out = futures_lite_block_on(both(slow("a", 1, &log), async { 7 }));
        assert_eq!(out, ("a", 7));
        assert_eq!(*log.borrow(), ["a", "a"]);
    }

    #[test]
    fn at_most_keeps_no_more_than_the_limit_in_flight_and_answers_in_order() {
        use std::cell::Cell;
        let (now, most) = (Cell::new(0usize), Cell::new(0usize));
        // Each future counts itself in flight from its first poll to its answer.
        let counted = |i: usize, waits: usize| {
            let (now, most) = (&now, &most);
            let mut left = waits;
            let mut begun = false;
            std::future::poll_fn(move |cx| {
                if !begun {
                    begun = true;
                    now.set(now.get() + 1);
                    most.set(most.get().max(now.get()));
                }
                if left == 0 {
                    now.set(now.get() - 1);
                    return Poll::Ready(i);
                }
                left -= 1;
                cx.waker().wake_by_ref();
                Poll::Pending
            })
        };
        let out = futures_lite_block_on(at_most(10, (0..30).map(|i| counted(i, 1 + i % 4))));
        assert_eq!(out, (0..30).collect::<Vec<_>>());
        assert_eq!(most.get(), 10, "never more than 10 at once, and the limit is used");
        assert_eq!(now.get(), 0);

        // A limit of one runs them one after another; fewer futures than the limit, all at once.
        most.set(0);
        assert_eq!(futures_lite_block_on(at_most(1, (0..5).map(|i| counted(i, 2)))), [0, 1, 2, 3, 4]);
        assert_eq!(most.get(), 1);
        most.set(0);
        assert_eq!(futures_lite_block_on(at_most(10, (0..3).map(|i| counted(i, 2)))), [0, 1, 2]);
        assert_eq!(most.get(), 3);
        assert!(futures_lite_block_on(at_most(10, Vec::<std::future::Ready<u8>>::new())).is_empty());
    }

    /// Polls a future to completion on this thread (tests only).
    fn futures_lite_block_on<F: std::future::Future>(future: F) -> F::Output {
        let mut future = std::pin::pin!(future);
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        loop {
            if let Poll::Ready(out) = future.as_mut().poll(&mut cx) {
                return out;
            }
        }
    }
}
