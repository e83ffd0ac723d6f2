/*
 * sleeping-barber: a customer process.
 *
 * The mutex protects the shared variables; the log lines are written after
 * the mutex is released, so that other processes wait as little as possible
 * (the file is opened with O_APPEND, so every write goes to the end).
 */
#include <stdlib.h>

#include "common.h"

void customer_run(struct shop *shop, int id)
{
    bool sit = false, wake_barber = false;

    log_action(shop, id, "enters");
    shop_lock(shop);
    if (shop->waiting < shop->chairs) {
        shop->waiting++;
        sit = true;
        if (shop->barber_asleep) {
            shop->barber_asleep = false;
            wake_barber = true;
        }
    }
    shop_unlock(shop);
    if (!sit) {
        log_action(shop, id, "leaves: no free chair");
        exit(0);
    }
    log_action(shop, id, "sits in the waiting room");
    if (wake_barber) {
        log_action(shop, id, "wakes the barber");
        post_sem(&shop->barber_wake, "sem_post(barber_wake)");
    }

    wait_sem(&shop->next_customer, "sem_wait(next_customer)");
    shop_lock(shop);
    shop->waiting--;
    shop_unlock(shop);
    log_action(shop, id, "gets a haircut");
    post_sem(&shop->customer_seated, "sem_post(customer_seated)");

    wait_sem(&shop->haircut_done, "sem_wait(haircut_done)");
    log_action(shop, id, "leaves with a haircut");
    post_sem(&shop->customer_gone, "sem_post(customer_gone)");
    exit(0);
}
