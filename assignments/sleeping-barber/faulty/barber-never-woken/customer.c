/*
 * sleeping-barber -- reference solution: a customer process.
 *
 * A customer's lines, in the only orders the log allows:
 *
 *     enters  leaves: no free chair
 *     enters  sits in the waiting room  [wakes the barber]  gets a haircut
 *             leaves with a haircut
 *
 * Entering, looking at the waiting room and sitting down (or leaving) is ONE
 * critical section: if the customer looked in one critical section and sat
 * down in a later one, two customers could both see the last free chair and
 * both sit down (NCH + 1 waiting), or a customer could leave "because the
 * room is full" when a chair has become free in the meantime.
 *
 * The customer in the barber chair does not occupy a waiting-room chair:
 * `waiting` counts only customers who sat down and have not been called yet.
 */
#include <stdlib.h>

#include "common.h"

void customer_run(struct shop *shop, int id)
{
    bool wake_barber = false;

    shop_lock(shop);
    log_action(shop, id, "enters");
    if (shop->waiting >= shop->chairs) {
        log_action(shop, id, "leaves: no free chair");
        shop_unlock(shop);
        exit(0);
    }
    shop->waiting++;
    log_action(shop, id, "sits in the waiting room");
    if (shop->barber_asleep) {
        /* Only one customer wakes him: clearing the flag tells the others
           (and the barber himself) that he has been woken. */
        shop->barber_asleep = false;
        wake_barber = true;
        log_action(shop, id, "wakes the barber");
    }
    shop_unlock(shop);
    if (wake_barber)
        post_sem(&shop->barber_wake, "sem_post(barber_wake)");

    /* Wait to be called; any waiting customer may be the one called. */
    wait_sem(&shop->next_customer, "sem_wait(next_customer)");
    shop_lock(shop);
    shop->waiting--;
    log_action(shop, id, "gets a haircut");
    shop_unlock(shop);
    post_sem(&shop->customer_seated, "sem_post(customer_seated)");

    wait_sem(&shop->haircut_done, "sem_wait(haircut_done)");
    shop_lock(shop);
    log_action(shop, id, "leaves with a haircut");
    shop_unlock(shop);
    post_sem(&shop->customer_gone, "sem_post(customer_gone)");
    exit(0);
}
