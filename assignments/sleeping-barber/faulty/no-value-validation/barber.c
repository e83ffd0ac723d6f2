/*
 * sleeping-barber -- reference solution: the barber process.
 *
 * The barber's lines, in the only order the log allows:
 *
 *     ( [sleeps  wakes]  cuts hair  finishes )*  [sleeps]  goes home
 *
 * One round of the loop, with the semaphores it uses:
 *
 *   1. (mutex) Nobody waiting?  If every customer has left (main set
 *      `closing`), log `goes home` and stop. Otherwise log `sleeps`, set
 *      barber_asleep, release the mutex and wait on barber_wake. The customer
 *      who wakes him clears barber_asleep and logs `wakes the barber` before
 *      posting, so when the barber gets the mutex back he logs `wakes`. If
 *      barber_asleep is still set, nobody but main posted: it is closing time
 *      and he logs `goes home` straight from his sleep.
 *   2. Post next_customer once: one waiting customer (any of them) takes it,
 *      logs `gets a haircut` and posts customer_seated.
 *   3. Wait for customer_seated, log `cuts hair`, cut for 0..TB us, log
 *      `finishes`, post haircut_done.
 *   4. Wait for customer_gone: the customer has logged `leaves with a
 *      haircut`. Only then may the next customer be called. Without this
 *      step, a next customer could be called, sit down and reach
 *      sem_wait(haircut_done) before the previous customer does, take the
 *      previous customer's "finished" and leave before his own haircut.
 *
 * Every decision (sleep or not, go home or not) and the line that reports
 * it are made in ONE critical section, so a customer can never sit down
 * between the barber seeing an empty waiting room and logging `sleeps`.
 */
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

void barber_run(struct shop *shop)
{
    /* Different haircut lengths in every run (the barber's own seed). */
    srandom((unsigned)time(NULL) ^ ((unsigned)getpid() << 16));

    shop_lock(shop);
    for (;;) {
        /* Step 1: the mutex is held here. */
        if (shop->waiting == 0) {
            if (shop->closing) {
                log_action(shop, 0, "goes home");
                shop_unlock(shop);
                exit(0);
            }
            log_action(shop, 0, "sleeps");
            shop->barber_asleep = true;
            shop_unlock(shop);

            wait_sem(&shop->barber_wake, "sem_wait(barber_wake)");

            shop_lock(shop);
            if (shop->barber_asleep) {
                /* No customer cleared the flag: main woke us to close. */
                shop->barber_asleep = false;
                log_action(shop, 0, "goes home");
                shop_unlock(shop);
                exit(0);
            }
            log_action(shop, 0, "wakes");
            /* The customer who woke us sits in the waiting room and waits
               to be called: shop->waiting >= 1 here. */
        }

        /* Step 2: "next, please". The customer leaves the waiting room
           (waiting--) when he logs `gets a haircut`, not now. */
        post_sem(&shop->next_customer, "sem_post(next_customer)");
        shop_unlock(shop);

        /* Step 3: the haircut. */
        wait_sem(&shop->customer_seated, "sem_wait(customer_seated)");
        shop_lock(shop);
        log_action(shop, 0, "cuts hair");
        shop_unlock(shop);

        sleep_random_us(shop->max_haircut_us);

        shop_lock(shop);
        log_action(shop, 0, "finishes");
        shop_unlock(shop);
        post_sem(&shop->haircut_done, "sem_post(haircut_done)");

        /* Step 4: wait until this customer has left the chair. */
        wait_sem(&shop->customer_gone, "sem_wait(customer_gone)");
        shop_lock(shop);
    }
}
